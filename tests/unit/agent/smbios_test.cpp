#include "smbios.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace ferrum::agent {
namespace {

std::vector<std::uint8_t> load(const std::string& name) {
  std::ifstream in(std::string(FERRUM_SOURCE_DIR) + "/tests/unit/agent/data/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), {}};
}

SmbiosInfo parse_dump(const std::string& prefix) {
  auto ep = load(prefix + "_smbios_entry_point");
  auto version = parse_entry_point(ep);
  EXPECT_TRUE(version) << version.error();
  auto table = load(prefix + "_DMI");
  return parse_smbios(table, *version);
}

// Captured from: qemu-system-x86_64 -machine q35 -m 512 -smp 2 (SeaBIOS) -smbios
// type=1,uuid=4c4c4544-0042-3510-8052-b4c04f564d32,manufacturer=FerrumLabs,
// product=QEMU-Agent-Box,serial=SN-E2E-0001,version=1.0,sku=SKU42,family=Lab
TEST(Smbios, QemuSeabiosDump) {
  auto info = parse_dump("qemu_seabios");
  EXPECT_EQ(info.error, "");
  ASSERT_TRUE(info.system);
  EXPECT_EQ(info.system->uuid, "4c4c4544-0042-3510-8052-b4c04f564d32");
  EXPECT_EQ(info.system->manufacturer, "FerrumLabs");
  EXPECT_EQ(info.system->product_name, "QEMU-Agent-Box");
  EXPECT_EQ(info.system->version, "1.0");
  EXPECT_EQ(info.system->serial_number, "SN-E2E-0001");
  EXPECT_EQ(info.system->sku_number, "SKU42");
  EXPECT_EQ(info.system->family, "Lab");
  ASSERT_EQ(info.processors.size(), 1u);  // -smp 2: QEMU 7.2 makes one socket of 2 cores
  EXPECT_EQ(info.processors[0].socket, "CPU 0");
  EXPECT_EQ(info.processors[0].manufacturer, "QEMU");
  EXPECT_EQ(info.processors[0].version, "pc-q35-7.2");
  EXPECT_TRUE(info.processors[0].populated);
  EXPECT_EQ(info.processors[0].core_count, 2u);
  EXPECT_EQ(info.processors[0].thread_count, 2u);
  EXPECT_EQ(info.processors[0].max_speed_mhz, 2000u);
  ASSERT_EQ(info.memory.size(), 1u);
  EXPECT_EQ(info.memory[0].locator, "DIMM 0");
  EXPECT_EQ(info.memory[0].size_mb, 512u);
  EXPECT_EQ(info.memory[0].type, "RAM");
  EXPECT_EQ(info.memory[0].manufacturer, "QEMU");
}

// Captured from: OVMF, -m 1024 -smp 4,sockets=2,cores=2 -smbios type=1,uuid=9f1d2a3b-...,
// manufacturer=Ferrum,product=UEFI-Box,serial=SN-UEFI-7 -smbios type=4,manufacturer=FerrumCPU,
// version=FerrumCore-9000 -smbios type=17,manufacturer=FerrumRAM,serial=MEM-0001,
// part=FR-DIMM-1G,speed=3200
TEST(Smbios, QemuOvmfDump) {
  auto info = parse_dump("qemu_ovmf");
  EXPECT_EQ(info.error, "");
  ASSERT_TRUE(info.system);
  EXPECT_EQ(info.system->uuid, "9f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b");
  EXPECT_EQ(info.system->manufacturer, "Ferrum");
  EXPECT_EQ(info.system->product_name, "UEFI-Box");
  EXPECT_EQ(info.system->serial_number, "SN-UEFI-7");
  ASSERT_EQ(info.processors.size(), 2u);
  for (const auto& p : info.processors) {
    EXPECT_EQ(p.manufacturer, "FerrumCPU");
    EXPECT_EQ(p.version, "FerrumCore-9000");
    EXPECT_EQ(p.core_count, 2u);
    EXPECT_EQ(p.thread_count, 2u);
    EXPECT_TRUE(p.populated);
  }
  EXPECT_EQ(info.processors[1].socket, "CPU 1");
  ASSERT_EQ(info.memory.size(), 1u);
  EXPECT_EQ(info.memory[0].size_mb, 1024u);
  EXPECT_EQ(info.memory[0].manufacturer, "FerrumRAM");
  EXPECT_EQ(info.memory[0].serial_number, "MEM-0001");
  EXPECT_EQ(info.memory[0].part_number, "FR-DIMM-1G");
  EXPECT_EQ(info.memory[0].speed_mts, 3200u);
}

TEST(Smbios, EntryPoints) {
  std::vector<std::uint8_t> sm3(0x18, 0);
  std::copy_n("_SM3_", 5, sm3.begin());
  sm3[7] = 3;
  sm3[8] = 4;
  auto v = parse_entry_point(sm3);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->major, 3);
  EXPECT_EQ(v->minor, 4);
  EXPECT_FALSE(parse_entry_point(std::vector<std::uint8_t>{'_', 'S', 'M', '3', '_'}));
  auto bad = parse_entry_point(std::vector<std::uint8_t>(32, 'x'));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "entry point: neither _SM_ nor _SM3_ anchor");
}

// A type 1 with the UUID bytes in SMBIOS order, before and after 2.6, and the special values.
std::vector<std::uint8_t> type1(std::array<std::uint8_t, 16> uuid) {
  std::string head("\x01\x1b\x00\x00\x01\x00\x00\x00", 8);
  std::string tail(
      "\x06\x00\x00"
      "Acme  "
      "\x00\x00\x7f\x04\x00\x00\x00\x00",
      17);
  std::string all = head + std::string(uuid.begin(), uuid.end()) + tail;
  return std::vector<std::uint8_t>(all.begin(), all.end());
}

TEST(Smbios, UuidByteOrderAndSpecialValues) {
  std::array<std::uint8_t, 16> u = {0x44, 0x45, 0x4c, 0x4c, 0x42, 0x00, 0x10, 0x35,
                                    0x80, 0x52, 0xb4, 0xc0, 0x4f, 0x56, 0x4d, 0x32};
  auto le = parse_smbios(type1(u), {2, 8});
  ASSERT_TRUE(le.system);
  EXPECT_EQ(le.system->uuid, "4c4c4544-0042-3510-8052-b4c04f564d32");
  EXPECT_EQ(le.system->manufacturer, "Acme");  // trailing spaces dropped
  auto be = parse_smbios(type1(u), {2, 5});
  EXPECT_EQ(be.system->uuid, "44454c4c-4200-1035-8052-b4c04f564d32");
  std::array<std::uint8_t, 16> ff;
  ff.fill(0xFF);
  EXPECT_EQ(parse_smbios(type1(ff), {3, 0}).system->uuid, "");
  EXPECT_EQ(parse_smbios(type1({}), {3, 0}).system->uuid, "");
}

TEST(Smbios, MalformedTablesStopWithOffset) {
  std::array<std::uint8_t, 16> u{};
  u[0] = 1;
  auto t = type1(u);
  // Length runs past the end.
  std::vector<std::uint8_t> overrun = {4, 0x30, 0, 0, 1};
  auto r1 = parse_smbios(overrun, {3, 0});
  EXPECT_EQ(r1.error, "structure at offset 0: length 48 runs outside the table");
  // Valid type 1, then a structure whose string set never ends.
  auto unterminated = t;
  unterminated.resize(t.size() - 8);  // drop the end-of-table structure and the final NULs
  unterminated.pop_back();
  unterminated.pop_back();
  std::vector<std::uint8_t> two = t;
  two.resize(t.size() - 6);  // keep type 1; append a broken type 17
  for (char c : std::string("\x11\x04\x01\x00xy", 6)) two.push_back(static_cast<std::uint8_t>(c));
  auto r2 = parse_smbios(two, {3, 0});
  ASSERT_TRUE(r2.system);
  EXPECT_EQ(r2.system->manufacturer, "Acme");
  EXPECT_EQ(r2.error,
            "structure at offset " + std::to_string(t.size() - 6) + ": unterminated string set");
  EXPECT_EQ(parse_smbios(unterminated, {3, 0}).error,
            "structure at offset 0: unterminated string set");
  // Length below the 4-byte header.
  EXPECT_EQ(parse_smbios(std::vector<std::uint8_t>{1, 2, 0, 0, 0, 0}, {3, 0}).error,
            "structure at offset 0: length 2 runs outside the table");
}

// Found by tests/fuzz/smbios_fuzz: string bytes went into the Server's proto3 strings as
// they were, and a non-UTF-8 one (Latin-1 firmware) made the registration unsendable.
TEST(Smbios, StringsComeOutAsUtf8) {
  std::string t(
      "\x01\x08\x00\x00\x01\x02\x00\x00"
      "Ac\xe9me \xc3\xa9\x00"
      "\xed\xa0\x80\xf0\x9f\x92\xbe\x00\x00"
      "\x7f\x04\x00\x00\x00\x00",
      32);
  auto info = parse_smbios(std::vector<std::uint8_t>(t.begin(), t.end()), {3, 0});
  ASSERT_TRUE(info.system) << info.error;
  EXPECT_EQ(info.error, "");
  EXPECT_EQ(info.system->manufacturer, "Ac\xef\xbf\xbdme \xc3\xa9");  // U+FFFD, é kept
  // A surrogate's three bytes are each replaced; a 4-byte sequence (U+1F4BE) is kept.
  EXPECT_EQ(info.system->product_name, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xf0\x9f\x92\xbe");
}

TEST(Smbios, MemoryTypeNames) {
  EXPECT_EQ(memory_type_name(0x1A), "DDR4");
  EXPECT_EQ(memory_type_name(0x22), "DDR5");
  EXPECT_EQ(memory_type_name(0x07), "RAM");
  EXPECT_EQ(memory_type_name(0x15), "Unknown");
  EXPECT_EQ(memory_type_name(0xF0), "Unknown");
}

}  // namespace
}  // namespace ferrum::agent
