// libFuzzer target for ferrum-ipxe-http's request head parser (services/ipxe-http
// http_message): any bytes up to the blank line either parse to a GET/HEAD request whose
// decoded path is absolute and NUL-free, with lower-case token header names, or fail with a
// status the server knows how to answer. The Range header of a parsed request goes through
// parse_range against a size taken from the input; a satisfiable range lies inside it.
#include <algorithm>
#include <cctype>

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
  std::string_view head = ferrum::fuzz::as_text(data, size);
  auto req = parse_request_head(head);
  if (!req) {
    FUZZ_CHECK(status_text(req.error().status) != "Unknown");
    FUZZ_CHECK(!req.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(req->method == "GET" || req->method == "HEAD");
  FUZZ_CHECK(!req->path.empty() && req->path.front() == '/');
  FUZZ_CHECK(req->path.find('\0') == std::string::npos);
  for (const auto& [name, value] : req->headers) {
    FUZZ_CHECK(!name.empty());
    FUZZ_CHECK(std::none_of(name.begin(), name.end(),
                            [](char c) { return std::isupper(static_cast<unsigned char>(c)); }));
    FUZZ_CHECK(name.find(':') == std::string::npos);
    FUZZ_CHECK(value.empty() || (value.front() != ' ' && value.back() != ' '));
  }
  if (req->header("transfer-encoding").data() != nullptr) FUZZ_CHECK(false);
  // The size of the representation: the input's length in a few shapes (0, small, huge).
  std::string_view range = req->header("range");
  check_range(range, 0);
  check_range(range, size);
  check_range(range, ~std::uint64_t{0} - size);
  return 0;
}
