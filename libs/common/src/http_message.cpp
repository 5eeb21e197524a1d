#include <algorithm>
#include <boost/beast/http/status.hpp>

#include "ferrum/http/handler.hpp"
#include "ferrum/http/limits.hpp"
#include "ferrum/http/message.hpp"
#include "ferrum/percent_encoding.hpp"
#include "http_head.hpp"

namespace ferrum::http {

std::string_view Request::header(std::string_view name) const {
  auto it = headers.find(boost::beast::string_view(name.data(), name.size()));
  if (it == headers.end()) return {};
  auto v = it->value();
  return {v.data(), v.size()};
}

Response Response::text(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

std::string_view status_text(int status) {
  // Beast's table of RFC 9110 reason phrases; RFC 9110 renamed 413.
  if (status == 413) return "Content Too Large";
  auto s = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  if (s.empty() || s == "<unknown-status>") return "Unknown";
  return {s.data(), s.size()};
}

std::optional<Target> split_target(std::string_view target, std::string* error) {
  if (target.empty() || target.front() != '/') {
    if (error) *error = "request target: must be an absolute path";
    return std::nullopt;
  }
  auto q = target.find('?');
  // '+' means a space only in queries; in a path it is itself.
  std::string raw(target.substr(0, q));
  for (auto plus = raw.find('+'); plus != std::string::npos; plus = raw.find('+', plus + 3)) {
    raw.replace(plus, 1, "%2B");
  }
  auto path = percent_decode(raw);
  if (!path || path->find('\0') != std::string::npos) {
    if (error) *error = "request target: bad percent-encoding";
    return std::nullopt;
  }
  Target t;
  t.path = std::move(*path);
  if (q != std::string_view::npos) t.query = std::string(target.substr(q + 1));
  return t;
}

Completion& Completion::operator=(Completion&& o) noexcept {
  if (this != &o) {
    if (p_) p_->complete(Response::text(500, "request dropped by its handler\n"));
    p_ = std::move(o.p_);
  }
  return *this;
}

Completion::~Completion() {
  if (p_) p_->complete(Response::text(500, "request dropped by its handler\n"));
}

void Completion::operator()(Response r) {
  if (!p_) return;
  auto p = std::move(p_);
  p->complete(std::move(r));
}

Handler respond_with(std::function<Response(const Request&)> fn) {
  return [fn = std::move(fn)](Request& req, Exchange& ex) { ex.respond(fn(req)); };
}

std::string_view refusal_name(Refusal r) {
  switch (r) {
    case Refusal::kNone:
      return "none";
    case Refusal::kMaxConnections:
      return "max_connections";
    case Refusal::kPerClient:
      return "per_client";
    case Refusal::kPendingPerClient:
      return "pending_per_client";
    case Refusal::kPendingShare:
      return "pending_share";
  }
  return "unknown";
}

std::size_t ConnectionTable::AddressHash::operator()(
    const boost::asio::ip::address& a) const noexcept {
  if (a.is_v4()) return std::hash<std::uint32_t>()(a.to_v4().to_uint());
  auto bytes = a.to_v6().to_bytes();
  return std::hash<std::string_view>()(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Refusal ConnectionTable::admit(const boost::asio::ip::address& client) {
  std::lock_guard lock(mu_);
  if (open_ >= limits_.max_connections) return Refusal::kMaxConnections;
  auto it = clients_.find(client);
  const Counts none;
  const Counts& c = it == clients_.end() ? none : it->second;
  if (limits_.max_connections_per_client > 0 && c.open >= limits_.max_connections_per_client) {
    return Refusal::kPerClient;
  }
  if (limits_.max_pending_per_client > 0 && c.pending >= limits_.max_pending_per_client) {
    return Refusal::kPendingPerClient;
  }
  if (limits_.reserved_for_established > 0 &&
      pending_ + limits_.reserved_for_established >= limits_.max_connections) {
    return Refusal::kPendingShare;
  }
  auto& mine = clients_[client];
  ++mine.open;
  ++mine.pending;
  ++open_;
  ++pending_;
  return Refusal::kNone;
}

void ConnectionTable::established(const boost::asio::ip::address& client) {
  std::lock_guard lock(mu_);
  auto it = clients_.find(client);
  if (it == clients_.end() || it->second.pending == 0) return;
  --it->second.pending;
  --pending_;
}

std::size_t ConnectionTable::release(const boost::asio::ip::address& client, bool was_pending) {
  std::lock_guard lock(mu_);
  auto it = clients_.find(client);
  if (it != clients_.end()) {
    if (was_pending && it->second.pending > 0) {
      --it->second.pending;
      --pending_;
    }
    if (it->second.open > 0) {
      --it->second.open;
      --open_;
    }
    if (it->second.open == 0) clients_.erase(it);
  }
  return open_;
}

std::size_t ConnectionTable::open() const {
  std::lock_guard lock(mu_);
  return open_;
}

std::size_t ConnectionTable::pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

std::size_t ConnectionTable::open_from(const boost::asio::ip::address& client) const {
  std::lock_guard lock(mu_);
  auto it = clients_.find(client);
  return it == clients_.end() ? 0 : it->second.open;
}

}  // namespace ferrum::http

namespace ferrum::http {
namespace detail {

namespace bhttp = boost::beast::http;

void init_parser(RequestParser& p, const Limits& limits) {
  p.header_limit(static_cast<std::uint32_t>(limits.max_head_bytes));
  p.body_limit(limits.max_body_bytes);
}

std::optional<HeadError> check_head(const RequestParser& p, const Limits& limits, Target& target) {
  const auto& h = p.get();
  if (h.version() != 10 && h.version() != 11) {
    return HeadError{505, "only HTTP/1.0 and HTTP/1.1 are served"};
  }
  std::string why;
  auto t = split_target(std::string_view(h.target().data(), h.target().size()), &why);
  if (!t) return HeadError{400, why};
  target = std::move(*t);
  bool body = p.chunked() || (p.content_length() && *p.content_length() > 0);
  if (body && limits.max_body_bytes == 0) return HeadError{413, "request bodies are not accepted"};
  return std::nullopt;
}

HeadError parse_error(boost::system::error_code ec, const Limits& limits,
                      std::string_view unparsed) {
  if (ec == bhttp::error::body_limit) {
    if (limits.max_body_bytes == 0) return {413, "request bodies are not accepted"};
    return {413, "request body larger than " + std::to_string(limits.max_body_bytes) + " bytes"};
  }
  if (ec == bhttp::error::header_limit) {
    return {431, "request head larger than " + std::to_string(limits.max_head_bytes) + " bytes"};
  }
  if (ec == bhttp::error::bad_version) {
    // Beast refuses versions other than 1.x outright; a request line that is otherwise
    // well-formed ("GET / HTTP/2.0") gets 505, as RFC 9110 15.6.6 asks.
    auto line = unparsed.substr(0, unparsed.find("\r\n"));
    auto last = line.rfind(' ');
    if (std::count(line.begin(), line.end(), ' ') == 2 &&
        line.substr(last + 1).starts_with("HTTP/")) {
      return {505, "only HTTP/1.0 and HTTP/1.1 are served"};
    }
  }
  return {400, "malformed request: " + ec.message()};
}

Request to_request(RequestParser& p, Target target) {
  auto msg = p.release();
  Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.path = std::move(target.path);
  req.query = std::move(target.query);
  req.keep_alive = msg.keep_alive();
  req.body = std::move(msg.body());
  // Method and target live outside the field list; they were copied above.
  req.headers = std::move(static_cast<Fields&>(msg.base()));
  return req;
}

}  // namespace detail

Expected<Request, HeadError> parse_request(std::string_view bytes, const Limits& limits) {
  detail::RequestParser p;
  detail::init_parser(p, limits);
  p.eager(true);
  boost::system::error_code ec;
  std::size_t used = 0;
  Target target;
  bool checked = false;
  while (used < bytes.size() && !p.is_done()) {
    auto n = p.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    used += n;
    if (ec == boost::beast::http::error::need_more) break;
    if (ec) return unexpected(detail::parse_error(ec, limits, bytes.substr(used)));
    if (p.is_header_done() && !checked) {
      checked = true;
      if (auto e = detail::check_head(p, limits, target)) return unexpected(std::move(*e));
    }
    if (n == 0) break;
  }
  if (!p.is_done()) return unexpected(HeadError{400, "incomplete request"});
  return detail::to_request(p, std::move(target));
}

}  // namespace ferrum::http
