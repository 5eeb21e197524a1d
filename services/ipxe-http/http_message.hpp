#pragma once
// HTTP/1.1 request heads, byte ranges and dates: the pure half of the server (no sockets).
//
// Contract: parse_request_head() takes the bytes up to and including the blank line. It
// accepts GET and HEAD (anything else is 405), origin-form targets only, and rejects request
// bodies (Content-Length > 0 or any Transfer-Encoding: 413), because nothing Ferrum serves
// takes one. Header names are lower-cased. Errors carry the status to answer with and a text
// naming what is wrong.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferrum/expected.hpp"

namespace ferrum::ipxe {

struct HttpRequest {
  std::string method;  // GET | HEAD
  std::string path;    // percent-decoded, without the query
  std::string query;   // raw, after '?'
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = true;

  // The first header of that (lower-case) name, or empty.
  std::string_view header(std::string_view name) const;
};

struct HttpError {
  int status = 400;
  std::string message;
};

Expected<HttpRequest, HttpError> parse_request_head(std::string_view head);

// One byte range of a representation of `size` bytes.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};
enum class RangeResult { kNone, kRange, kUnsatisfiable };
// RFC 9110 14.1: a single range (bytes=a-b, bytes=a-, bytes=-n). Several ranges or a
// syntax error ignore the header (kNone: the whole representation, as the RFC allows).
RangeResult parse_range(std::string_view header, std::uint64_t size, ByteRange& out);

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::time_t t);

std::string_view status_text(int status);

}  // namespace ferrum::ipxe
