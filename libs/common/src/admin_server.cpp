#include "ferrum/admin_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>

#include "ferrum/net.hpp"

namespace ferrum::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class AdminServer::Impl {
 public:
  explicit Impl(AdminServer& owner) : owner_(owner), acceptor_(ioc_) {}

  Expected<std::uint16_t, std::string> bind(const std::string& listen) {
    return net::listen_tcp(acceptor_, listen, "admin-listen");
  }

  void run() {
    accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }

  void stop(std::chrono::milliseconds drain) {
    asio::post(ioc_, [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    // Give in-flight requests a moment, then stop the loop regardless.
    auto deadline = std::chrono::steady_clock::now() + drain;
    while (open_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  class Session : public std::enable_shared_from_this<Session> {
   public:
    // Sessions live in the io_context's handlers; Impl outlives them (see member order).
    Session(Impl* impl, tcp::socket socket) : impl_(impl), stream_(std::move(socket)) {
      impl_->open_.fetch_add(1);
    }
    ~Session() { impl_->open_.fetch_sub(1); }

    void read() {
      parser_.emplace();
      parser_->header_limit(8 * 1024);
      parser_->body_limit(0);
      stream_.expires_after(impl_->owner_.settings_.read_timeout);
      http::async_read(stream_, buffer_, *parser_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->on_read(ec);
                       });
    }

   private:
    void on_read(beast::error_code ec) {
      if (ec == http::error::body_limit) {
        respond(http::status::payload_too_large, "request bodies are not accepted here\n", false);
        return;
      }
      if (ec == http::error::header_limit) {
        // Closing without an answer would leave the client guessing (and retrying).
        respond(http::status::request_header_fields_too_large,
                "request head over 8 KiB; admin requests need no large headers\n", false);
        return;
      }
      if (ec) return;  // timeout, reset or a malformed request: just close
      auto req = parser_->release();
      auto target = std::string(req.target());
      if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
      bool keep = req.keep_alive();
      if (req.method() != http::verb::get && req.method() != http::verb::head) {
        respond(http::status::method_not_allowed, "only GET and HEAD are served\n", keep,
                req.method() == http::verb::head);
        return;
      }
      bool head = req.method() == http::verb::head;
      if (target == "/metrics") {
        respond(http::status::ok, impl_->owner_.registry_.expose(), keep, head,
                "text/plain; version=0.0.4; charset=utf-8");
      } else if (target == "/healthz") {
        respond(http::status::ok, "ok\n", keep, head);
      } else if (target == "/readyz") {
        auto why = impl_->owner_.readiness();
        if (why.empty()) {
          respond(http::status::ok, "ok\n", keep, head);
        } else {
          respond(http::status::service_unavailable, "not ready:\n" + why, keep, head);
        }
      } else {
        respond(http::status::not_found, "not found; try /metrics, /healthz or /readyz\n", keep,
                head);
      }
    }

    void respond(http::status status, std::string body, bool keep_alive, bool head = false,
                 const char* content_type = "text/plain; charset=utf-8") {
      auto res = std::make_shared<http::response<http::string_body>>(status, 11);
      res->set(http::field::server, "ferrum");
      res->set(http::field::content_type, content_type);
      if (status == http::status::method_not_allowed) res->set(http::field::allow, "GET, HEAD");
      res->keep_alive(keep_alive);
      auto size = body.size();
      if (!head) res->body() = std::move(body);
      res->content_length(size);
      stream_.expires_after(impl_->owner_.settings_.read_timeout);
      http::async_write(stream_, *res,
                        [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
                          if (ec || !keep_alive) {
                            beast::error_code ignored;
                            self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                            return;
                          }
                          self->read();
                        });
    }

    Impl* impl_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::empty_body>> parser_;
  };

  void accept() {
    acceptor_.async_accept([self = this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
      if (!ec) {
        if (static_cast<std::size_t>(self->open_.load()) >= self->owner_.settings_.max_connections) {
          beast::error_code ignored;
          socket.close(ignored);  // over the bound: refuse rather than queue
        } else {
          std::make_shared<Session>(self, std::move(socket))->read();
        }
      }
      self->accept();
    });
  }

  // Order matters: ioc_'s destructor destroys pending sessions, which touch open_ and owner_.
  AdminServer& owner_;
  std::atomic<int> open_{0};
  asio::io_context ioc_{1};
  tcp::acceptor acceptor_;
  std::thread thread_;
};

AdminServer::AdminServer(AdminSettings settings, metrics::Registry& registry, log::Logger log)
    : settings_(std::move(settings)), registry_(registry), log_(std::move(log)) {}

AdminServer::~AdminServer() { stop(std::chrono::milliseconds(0)); }

void AdminServer::add_readiness_check(std::string name, ReadinessCheck check) {
  std::lock_guard lock(checks_mu_);
  checks_.emplace_back(std::move(name), std::move(check));
}

std::string AdminServer::readiness() const {
  std::lock_guard lock(checks_mu_);
  std::string out;
  for (const auto& [name, check] : checks_) {
    if (auto why = check(); !why.empty()) out += name + ": " + why + "\n";
  }
  return out;
}

Expected<std::uint16_t, std::string> AdminServer::start() {
  impl_ = std::make_unique<Impl>(*this);
  auto port = impl_->bind(settings_.listen);
  if (!port) {
    impl_.reset();
    return port;
  }
  port_ = *port;
  impl_->run();
  log_.info("admin server listening", {{"listen", settings_.listen}, {"port", port_}});
  return port_;
}

void AdminServer::stop(std::chrono::milliseconds drain) {
  if (!impl_) return;
  impl_->stop(drain);
  impl_.reset();
}

}  // namespace ferrum::admin
