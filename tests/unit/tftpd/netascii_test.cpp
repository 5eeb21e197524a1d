#include "netascii.hpp"

#include <gtest/gtest.h>

#include <string>

using ferrum::tftp::to_netascii;

namespace {
std::string conv(std::string_view in) {
  auto out = to_netascii(std::span(reinterpret_cast<const std::uint8_t*>(in.data()), in.size()));
  return std::string(out.begin(), out.end());
}
}  // namespace

TEST(Netascii, LineFeedsAndBareCarriageReturns) {
  EXPECT_EQ(conv(""), "");
  EXPECT_EQ(conv("abc"), "abc");
  EXPECT_EQ(conv("a\nb\n"), "a\r\nb\r\n");
  EXPECT_EQ(conv("a\rb"), std::string("a\r\0b", 4));
  EXPECT_EQ(conv("a\r\n"), std::string("a\r\0\r\n", 5));
  EXPECT_EQ(conv(std::string("\0\xff", 2)), std::string("\0\xff", 2));
}
