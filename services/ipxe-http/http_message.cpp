#include "http_message.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "boot_query.hpp"
#include "ferrum/percent_encoding.hpp"

namespace ferrum::ipxe {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

Expected<HttpRequest, HttpError> parse_request_head(std::string_view head) {
  HttpRequest req;
  auto eol = head.find("\r\n");
  if (eol == std::string_view::npos)
    return unexpected(HttpError{400, "request line: missing CRLF"});
  std::string_view line = head.substr(0, eol);
  head.remove_prefix(eol + 2);
  auto sp1 = line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return unexpected(HttpError{400, "request line: expected METHOD TARGET VERSION"});
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (version == "HTTP/1.0") {
    req.keep_alive = false;
  } else if (version != "HTTP/1.1") {
    return unexpected(HttpError{505, "request line: only HTTP/1.0 and HTTP/1.1 are served"});
  }
  if (target.empty() || target.front() != '/') {
    return unexpected(HttpError{400, "request target: must be an absolute path"});
  }
  auto q = target.find('?');
  // '+' means a space only in queries; in a path it is itself.
  std::string raw_path(target.substr(0, q));
  for (std::size_t plus = raw_path.find('+'); plus != std::string::npos;
       plus = raw_path.find('+', plus + 3)) {
    raw_path.replace(plus, 1, "%2B");
  }
  auto path = percent_decode(raw_path);
  if (!path || path->find('\0') != std::string::npos) {
    return unexpected(HttpError{400, "request target: bad percent-encoding"});
  }
  req.path = std::move(*path);
  if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
  while (!head.empty()) {
    eol = head.find("\r\n");
    if (eol == std::string_view::npos) return unexpected(HttpError{400, "headers: missing CRLF"});
    std::string_view h = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    if (h.empty()) break;
    auto colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return unexpected(HttpError{400, "headers: a line without a name"});
    }
    std::string name(h.substr(0, colon));
    for (auto& c : name) {
      if (!token_char(c)) return unexpected(HttpError{400, "headers: bad header name"});
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    req.headers.emplace_back(std::move(name), std::string(trim(h.substr(colon + 1))));
  }
  for (const auto& [k, v] : req.headers) {
    if (k == "connection") {
      if (iequals(v, "close")) req.keep_alive = false;
      if (iequals(v, "keep-alive")) req.keep_alive = true;
    } else if (k == "transfer-encoding") {
      return unexpected(HttpError{413, "request bodies are not accepted"});
    } else if (k == "content-length" && v != "0") {
      return unexpected(HttpError{413, "request bodies are not accepted"});
    }
  }
  if (method == "GET" || method == "HEAD") {
    req.method = std::string(method);
  } else {
    return unexpected(
        HttpError{405, "method " + std::string(method.substr(0, 16)) + " not allowed (GET, HEAD)"});
  }
  return req;
}

RangeResult parse_range(std::string_view header, std::uint64_t size, ByteRange& out) {
  header = trim(header);
  if (header.substr(0, 6) != "bytes=") return RangeResult::kNone;
  std::string_view spec = trim(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return RangeResult::kNone;
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeResult::kNone;
  std::string_view a = trim(spec.substr(0, dash)), b = trim(spec.substr(dash + 1));
  std::uint64_t first = 0, last = 0;
  if (a.empty()) {
    std::uint64_t suffix = 0;
    if (!parse_u64(b, suffix)) return RangeResult::kNone;
    if (suffix == 0 || size == 0) return RangeResult::kUnsatisfiable;
    out.first = suffix >= size ? 0 : size - suffix;
    out.length = size - out.first;
    return RangeResult::kRange;
  }
  if (!parse_u64(a, first)) return RangeResult::kNone;
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else {
    if (!parse_u64(b, last) || last < first) return RangeResult::kNone;
  }
  if (first >= size) return RangeResult::kUnsatisfiable;
  last = std::min(last, size - 1);
  out.first = first;
  out.length = last - first + 1;
  return RangeResult::kRange;
}

std::string http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::string_view status_text(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 206:
      return "Partial Content";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 416:
      return "Range Not Satisfiable";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

}  // namespace ferrum::ipxe
