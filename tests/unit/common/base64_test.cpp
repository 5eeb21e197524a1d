#include "ferrum/base64.hpp"

#include <gtest/gtest.h>

using namespace ferrum::base64;

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, coded] : vectors) {
    EXPECT_EQ(encode(plain), coded);
    EXPECT_EQ(decode(coded), plain) << coded;
    EXPECT_EQ(decode_lenient(coded), plain) << coded;
  }
}

TEST(Base64, BinaryAndUrlAlphabet) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(decode(encode(all)), all);
  EXPECT_EQ(decode_url(encode_url(all)), all);
  EXPECT_EQ(encode_url("\xfb\xff"), "-_8");
  EXPECT_EQ(encode("\xfb\xff"), "+/8=");
}

TEST(Base64, StrictRejectsWhatKubernetesRejects) {
  EXPECT_FALSE(decode("Zg"));        // missing padding
  EXPECT_FALSE(decode("Zg=a"));      // data after padding
  EXPECT_FALSE(decode("Z"));         // a lone symbol
  EXPECT_FALSE(decode("Zm9v Yg=="));  // whitespace
  EXPECT_FALSE(decode("Zm9v!g=="));  // not the alphabet
  EXPECT_FALSE(decode("-_8="));      // URL alphabet
  EXPECT_FALSE(decode("Zg==="));     // too much padding
}

TEST(Base64, LenientAcceptsHandWrittenInput) {
  EXPECT_EQ(decode_lenient("Zg"), "f");
  EXPECT_EQ(decode_lenient("Zm9v\n Yg=="), "foob");
  EXPECT_FALSE(decode_lenient("Zm9v!"));
  EXPECT_FALSE(decode_url("Zg=="));  // tokens carry no padding
}
