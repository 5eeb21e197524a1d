#pragma once
// Byte ranges and dates of file responses: pure (no sockets). Requests themselves are parsed
// by Ferrum's HTTP server (ferrum/http/server.hpp).

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace ferrum::ipxe {

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

}  // namespace ferrum::ipxe
