#include "boot_query.hpp"

#include <gtest/gtest.h>

namespace ferrum::ipxe {
namespace {

TEST(BootQuery, ParsesWhatBootIpxeSends) {
  auto q = parse_boot_query(
      "uuid=4C4C4544-0042-3410-8052-B2C04F384D32&mac=52-54-00-12-34-56&domain=lab&hostname=n1"
      "&serial=ABC%20123&arch=x86_64");
  ASSERT_TRUE(q.has_value()) << q.error().message;
  EXPECT_EQ(q->uuid, "4c4c4544-0042-3410-8052-b2c04f384d32");
  EXPECT_EQ(q->mac, "52:54:00:12:34:56");
  EXPECT_EQ(q->arch, "amd64");
  EXPECT_EQ(q->domain, "lab");
  EXPECT_EQ(q->hostname, "n1");
  EXPECT_EQ(q->serial, "ABC 123");
  auto utf8 = parse_boot_query("hostname=caf%C3%A9");
  ASSERT_TRUE(utf8.has_value()) << utf8.error().message;
  EXPECT_EQ(utf8->hostname, "caf\xc3\xa9");
}

TEST(BootQuery, EmptyValuesAndMissingKeysAreAllowed) {
  auto q = parse_boot_query("uuid=&mac=&domain=&hostname=&serial=&arch=");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->uuid, "");
  EXPECT_EQ(q->mac, "");
  EXPECT_EQ(q->arch, "amd64");
  auto none = parse_boot_query("");
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->arch, "amd64");
}

TEST(BootQuery, FirstValueWinsAndUnknownKeysAreIgnored) {
  auto q = parse_boot_query("foo=bar&arch=arm64&arch=x86_64&&MAC=525400ABCDEF");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->arch, "arm64");
  EXPECT_EQ(q->mac, "52:54:00:ab:cd:ef");
}

TEST(BootQuery, BadInputNamesTheParameter) {
  struct Case {
    const char* query;
    const char* parameter;
  } cases[] = {
      {"uuid=not-a-uuid", "uuid"},
      {"uuid=4c4c4544-0042-3410-8052-b2c04f384d3", "uuid"},
      {"uuid=4c4c4544x0042-3410-8052-b2c04f384d32", "uuid"},
      {"mac=52-54-00-12-34", "mac"},
      {"mac=52-54:00-12-34-56", "mac"},
      {"mac=zz-54-00-12-34-56", "mac"},
      {"arch=mips", "arch"},
      {"arch=%zz", "arch"},
      {"hostname=a%0ab", "hostname"},
      {"domain=%", "domain"},
      // Found by tests/fuzz/boot_query_fuzz: text parameters reached the log as invalid UTF-8.
      {"serial=%ff%fe", "serial"},
      {"hostname=n%C3", "hostname"},
      {"domain=%ED%A0%80", "domain"},  // a UTF-16 surrogate
  };
  for (const auto& c : cases) {
    auto q = parse_boot_query(c.query);
    ASSERT_FALSE(q.has_value()) << c.query;
    EXPECT_EQ(q.error().parameter, c.parameter) << c.query;
    EXPECT_EQ(q.error().message.rfind(std::string(c.parameter) + ":", 0), 0u) << q.error().message;
  }
  auto long_serial = parse_boot_query("serial=" + std::string(300, 'x'));
  ASSERT_FALSE(long_serial.has_value());
  EXPECT_EQ(long_serial.error().parameter, "serial");
}

TEST(BootQuery, Validators) {
  std::string out;
  EXPECT_TRUE(normalize_mac("AA:BB:CC:DD:EE:FF", out));
  EXPECT_EQ(out, "aa:bb:cc:dd:ee:ff");
  EXPECT_FALSE(normalize_mac("AA:BB:CC:DD:EE:F", out));
  EXPECT_TRUE(normalize_arch("i386", out));
  EXPECT_EQ(out, "amd64");
  EXPECT_TRUE(normalize_arch("aarch64", out));
  EXPECT_EQ(out, "arm64");
  EXPECT_FALSE(normalize_arch("riscv64", out));
  EXPECT_TRUE(valid_uuid("00000000-0000-0000-0000-000000000000"));
  EXPECT_FALSE(valid_uuid("00000000-0000-0000-0000-00000000000g"));
}

}  // namespace
}  // namespace ferrum::ipxe
