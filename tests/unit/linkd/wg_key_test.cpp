#include "wg_key.hpp"

#include <gtest/gtest.h>

namespace ferrum::linkd {
namespace {

// RFC 7748 section 6.1 (Alice).
constexpr const char* kAlicePrivate =
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
constexpr const char* kAlicePublic =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";

TEST(WgKey, PublicKeyOfRfc7748Vector) {
  auto priv = parse_key_hex(kAlicePrivate);
  ASSERT_TRUE(priv);
  EXPECT_EQ(public_key_of(*priv).hex(), kAlicePublic);
}

TEST(WgKey, HexAndBase64RoundTrip) {
  auto k = parse_key_hex(kAlicePublic);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->base64(), "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=");
  auto back = parse_key_base64(k->base64());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, *k);
  EXPECT_EQ(parse_key_hex("8520F0098930A754748B7DDCB43EF75A0DBF3A0D26381AF4EBA4A98EAA9B4E6A"), k);
}

TEST(WgKey, RefusesMalformed) {
  for (const char* bad : {"", "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo",  // no padding
                          "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo==",    // 45 chars
                          "AAAA", "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066Spjqqb!mo=",
                          // Found by tests/fuzz/uapi_codec_fuzz: the unused low bits of the
                          // last character set (a second text for the key ...bTmo=).
                          "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmp="}) {
    EXPECT_FALSE(parse_key_base64(bad)) << bad;
  }
  EXPECT_FALSE(parse_key_hex("8520f0"));
  EXPECT_FALSE(parse_key_hex(std::string(63, 'a') + "g"));
}

TEST(WgKey, GeneratedKeysAreClampedAndDistinct) {
  auto a = generate_private_key();
  auto b = generate_private_key();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.bytes[0] & 7, 0);
  EXPECT_EQ(a.bytes[31] & 0xc0, 0x40);
  EXPECT_NE(public_key_of(a), public_key_of(b));
}

}  // namespace
}  // namespace ferrum::linkd
