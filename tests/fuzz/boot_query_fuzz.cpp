// libFuzzer target for the /ipxe query (services/ipxe-http boot_query, libs/common
// percent_encoding): percent_decode never grows its input and agrees with a naive decoder;
// is_valid_utf8 agrees with a second, table-free check; a parsed BootQuery holds only
// normalized values (lower-case 8-4-4-4-12 uuid, colon-separated lower-case MAC, amd64 or
// arm64) and text parameters that are valid UTF-8 without control characters; an error's
// text starts with the parameter it is about.
#include <cctype>

#include "ferrum/percent_encoding.hpp"
#include "services/ipxe-http/boot_query.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace ferrum::ipxe;

namespace {

// Decodes the way RFC 3629's table 3 reads: a lead byte, then the continuation bytes the
// code point needs; the shortest form only, no surrogates, nothing above U+10FFFF.
bool reference_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xe  ? 3
                      : (c >> 3) == 0x1e ? 4
                                         : 0;
    if (len == 0 || i + len > s.size()) return false;
    unsigned cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (std::size_t k = 1; k < len; ++k) {
      unsigned cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr unsigned kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

void check_text(const std::string& v) {
  FUZZ_CHECK(v.size() <= 253);
  FUZZ_CHECK(ferrum::is_valid_utf8(v));
  for (char c : v) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = ferrum::fuzz::as_text(data, size);
  FUZZ_CHECK(ferrum::is_valid_utf8(in) == reference_utf8(in));

  auto decoded = ferrum::percent_decode(in);
  if (decoded) {
    FUZZ_CHECK(decoded->size() <= in.size());
    if (in.find('%') == std::string_view::npos) FUZZ_CHECK(decoded->size() == in.size());
  } else {
    FUZZ_CHECK(in.find('%') != std::string_view::npos);
  }

  auto q = parse_boot_query(in);
  if (!q) {
    const auto& e = q.error();
    FUZZ_CHECK(!e.parameter.empty());
    FUZZ_CHECK(e.message.compare(0, e.parameter.size() + 1, e.parameter + ":") == 0);
    return 0;
  }
  if (!q->uuid.empty()) {
    FUZZ_CHECK(q->uuid.size() == 36);
    for (std::size_t i = 0; i < 36; ++i) {
      bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      FUZZ_CHECK(dash ? q->uuid[i] == '-' : is_lower_hex(q->uuid[i]));
    }
    FUZZ_CHECK(valid_uuid(q->uuid));
  }
  if (!q->mac.empty()) {
    FUZZ_CHECK(q->mac.size() == 17);
    for (std::size_t i = 0; i < 17; ++i)
      FUZZ_CHECK(i % 3 == 2 ? q->mac[i] == ':' : is_lower_hex(q->mac[i]));
    std::string again;
    FUZZ_CHECK(normalize_mac(q->mac, again) && again == q->mac);
  }
  FUZZ_CHECK(q->arch == "amd64" || q->arch == "arm64");
  check_text(q->domain);
  check_text(q->hostname);
  check_text(q->serial);
  return 0;
}
