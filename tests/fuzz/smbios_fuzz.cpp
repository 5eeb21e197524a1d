// libFuzzer target for the agent's SMBIOS parser (agent/smbios): the first two bytes are the
// version (major, minor), the rest is the structure table, placed before an unreadable page.
// Checked: nothing is read outside the table; the entry point parser takes the same bytes;
// every string that reaches the Server resource (over gRPC, where proto3 strings must be
// UTF-8) is valid UTF-8; a UUID is empty or 8-4-4-4-12 lower-case hex; an error names an
// offset.
#include "agent/smbios.hpp"
#include "ferrum/percent_encoding.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/guarded_buffer.hpp"

using namespace ferrum::agent;

namespace {

void check_text(const std::string& s) { FUZZ_CHECK(ferrum::is_valid_utf8(s)); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ferrum::fuzz::GuardedBuffer guarded;
  const std::uint8_t* all = guarded.copy(data, size);
  if (all == nullptr) return 0;
  auto ep = parse_entry_point({all, size});
  if (ep) FUZZ_CHECK(size >= 0x18);
  if (size < 2) return 0;

  SmbiosVersion version{data[0], data[1]};
  const std::uint8_t* table = guarded.copy(data + 2, size - 2);
  SmbiosInfo info = parse_smbios({table, size - 2}, version);
  if (!info.error.empty()) FUZZ_CHECK(info.error.rfind("structure at offset ", 0) == 0);
  if (info.system) {
    const auto& s = *info.system;
    FUZZ_CHECK(s.uuid.empty() || s.uuid.size() == 36);
    for (const auto* t : {&s.uuid, &s.manufacturer, &s.product_name, &s.version, &s.serial_number,
                          &s.sku_number, &s.family}) {
      check_text(*t);
    }
  }
  for (const auto& p : info.processors) {
    for (const auto* t :
         {&p.socket, &p.manufacturer, &p.version, &p.serial_number, &p.part_number}) {
      check_text(*t);
    }
  }
  for (const auto& m : info.memory) {
    for (const auto* t : {&m.locator, &m.manufacturer, &m.serial_number, &m.part_number, &m.type}) {
      check_text(*t);
    }
  }
  return 0;
}
