#pragma once
// Requests and responses of Ferrum's one HTTP layer (server.hpp), as handlers see them.
//
// A Request is complete when a handler gets it: head and body read within their deadlines and
// limits, the target split into a percent-decoded path and the raw query. A Response carries
// exactly one body: `body` (a string), `shared_body` (an immutable string kept by a cache and
// sent without a copy), `file` (an open file region, sent with sendfile(2) on plain TCP) or
// `stream` (chunked, produced over time: watches). The server adds Content-Length,
// Connection and Server; a HEAD request gets the head only.

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/fields.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferrum/expected.hpp"

namespace ferrum::http {

using Fields = boost::beast::http::fields;

struct Request {
  std::string method;  // as sent: "GET", "POST", ...
  std::string target;  // raw request target
  std::string path;    // percent-decoded ('+' stays '+'), without the query
  std::string query;   // raw, after '?'
  Fields headers;
  std::string body;
  bool keep_alive = true;
  boost::asio::ip::address remote;  // the client's address

  // The first header of that name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
};

// An open file region to send after the head. The fd is owned by the server once the
// Response is handed over (closed after sending, or unsent for HEAD and 304).
struct FileBody {
  int fd = -1;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// A chunked response body produced over time (a watch). The server calls every member on the
// connection's own thread, never two at once.
class Stream {
 public:
  virtual ~Stream() = default;
  // Once, after the head went out: `wake` (callable from any thread, any number of times)
  // tells the server that pull() has something new.
  virtual void start(std::function<void()> wake) = 0;
  // Appends what is ready to `out`; false: the stream ends once `out` is written.
  virtual bool pull(std::string& out) = 0;
  // Every Response::tick_interval: may append to `out` (a watch bookmark).
  virtual void tick(std::string& out) { (void)out; }
  // True when the stream must end at once, even with a write in flight that a stalled client
  // may never complete (a watcher that overflowed its buffer): the connection is closed and
  // what the stream holds is freed now. Asked whenever `wake` is called during a write.
  virtual bool abandoned() const { return false; }
  // Exactly once when the stream ends for any reason: pull() said so, the client went away,
  // Response::stream_timeout passed, or the server stops.
  virtual void closed() {}
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::shared_ptr<const std::string> shared_body;  // instead of body
  std::optional<FileBody> file;                    // instead of body
  std::shared_ptr<Stream> stream;                  // instead of body: chunked
  std::chrono::milliseconds stream_timeout{0};     // 0: until the stream or client ends it
  std::chrono::milliseconds tick_interval{0};      // 0: no ticks
  // Called with the body bytes actually written (metrics).
  std::function<void(std::uint64_t)> on_sent;

  static Response text(int status, std::string body);
  // The body, whichever of the two string members holds it (not the file or stream).
  std::string_view body_text() const { return shared_body ? std::string_view(*shared_body) : body; }
};

// The reason phrase of a status code ("Not Found"); "Unknown" for codes without one.
std::string_view status_text(int status);

// A request target split and checked as the server does it: origin-form only (RFC 9112
// 3.2.1), path percent-decoded with '+' kept, no NUL. The error is a 400 text.
struct Target {
  std::string path;
  std::string query;
};
std::optional<Target> split_target(std::string_view target, std::string* error);

// Why the server refused a request before any handler saw it: the status and a text naming
// what is wrong.
struct HeadError {
  int status = 400;
  std::string message;
};

struct Limits;
// What the server does with the bytes of one request (head, then body if any), without a
// socket: Beast's parser under `limits`, then the server's head rules (HTTP/1.0 or 1.1 only:
// 505; origin-form target: 400; a body where none is accepted or over the limit: 413; a head
// over the limit: 431; anything malformed: 400). Incomplete input is a 400.
Expected<Request, HeadError> parse_request(std::string_view bytes, const Limits& limits);

}  // namespace ferrum::http
