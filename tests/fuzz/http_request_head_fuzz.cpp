// libFuzzer target for the request heads Ferrum's one HTTP server parses (libs/common
// http_message: Beast's parser under the server's limits, then the server's head rules) and for
// ferrum-ipxe-http's Range parsing: any bytes either parse to a request whose decoded path is
// absolute and NUL-free, or fail with a status the server knows how to answer and a message.
// The Range header of a parsed request goes through parse_range against a size taken from the
// input; a satisfiable range lies inside it.
#include <algorithm>

#include "ferrum/http/limits.hpp"
#include "ferrum/http/message.hpp"
#include "services/ipxe-http/http_message.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace ferrum::ipxe;

namespace {

void check_range(std::string_view header, std::uint64_t size) {
  ByteRange r{7, 7};
  switch (parse_range(header, size, r)) {
    case RangeResult::kRange:
      FUZZ_CHECK(r.length >= 1);
      FUZZ_CHECK(r.first < size);
      FUZZ_CHECK(r.length <= size - r.first);
      break;
    case RangeResult::kNone:
    case RangeResult::kUnsatisfiable:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes = ferrum::fuzz::as_text(data, size);
  ferrum::http::Limits limits;  // ferrum-ipxe-http's: 8 KiB heads, no bodies
  limits.max_head_bytes = 8 * 1024;
  limits.max_body_bytes = 0;
  auto req = ferrum::http::parse_request(bytes, limits);
  if (!req) {
    FUZZ_CHECK(ferrum::http::status_text(req.error().status) != "Unknown");
    FUZZ_CHECK(!req.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!req->method.empty());
  FUZZ_CHECK(!req->path.empty() && req->path.front() == '/');
  FUZZ_CHECK(req->path.find('\0') == std::string::npos);
  FUZZ_CHECK(req->body.empty());
  for (const auto& field : req->headers) {
    FUZZ_CHECK(!field.name_string().empty());
    FUZZ_CHECK(field.name_string().find(':') == std::string_view::npos);
  }
  // The size of the representation: the input's length in a few shapes (0, small, huge).
  std::string_view range = req->header("range");
  check_range(range, 0);
  check_range(range, size);
  check_range(range, ~std::uint64_t{0} - size);
  return 0;
}
