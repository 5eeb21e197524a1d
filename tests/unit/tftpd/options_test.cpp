// Option negotiation: what goes into the OACK and what the transfer uses.
#include "options.hpp"

#include <gtest/gtest.h>

using namespace ferrum::tftp;

namespace {
Request request(OptionList opts) {
  auto pkt = encode_request(Opcode::kRrq, "f", Mode::kOctet, opts);
  auto r = decode(pkt);
  EXPECT_TRUE(r) << r.error->message;
  return std::get<Request>(*r.packet);
}
}  // namespace

TEST(Negotiate, NoOptionsMeansNoOackAndRfc1350Defaults) {
  auto n = negotiate(request({}), OptionLimits{}, 1000);
  EXPECT_TRUE(n.oack.empty());
  EXPECT_EQ(n.blksize, 512u);
  EXPECT_EQ(n.windowsize, 1u);
  EXPECT_FALSE(n.timeout_seconds);
}

TEST(Negotiate, OnlyUnknownOptionsMeansNoOack) {
  auto n = negotiate(request({{"multicast", ""}, {"rollover", "0"}}), OptionLimits{}, 1000);
  EXPECT_TRUE(n.oack.empty());
}

TEST(Negotiate, OvmfRequestGetsEveryOptionInOrder) {
  auto n = negotiate(request({{"tsize", "0"}, {"blksize", "1468"}, {"windowsize", "4"}}),
                     OptionLimits{1468, 64}, 1'234'567);
  EXPECT_EQ(n.oack, (OptionList{{"tsize", "1234567"}, {"blksize", "1468"}, {"windowsize", "4"}}));
  EXPECT_EQ(n.blksize, 1468u);
  EXPECT_EQ(n.windowsize, 4u);
}

TEST(Negotiate, BlksizeAndWindowsizeAreClampedToLimits) {
  auto n = negotiate(request({{"blksize", "65464"}, {"windowsize", "65535"}, {"x", "y"}}),
                     OptionLimits{1468, 64}, 10);
  EXPECT_EQ(n.oack, (OptionList{{"blksize", "1468"}, {"windowsize", "64"}}));
  EXPECT_EQ(n.blksize, 1468u);
  EXPECT_EQ(n.windowsize, 64u);
  // Below the limit: granted as asked.
  n = negotiate(request({{"blksize", "8"}, {"windowsize", "1"}}), OptionLimits{1468, 64}, 10);
  EXPECT_EQ(n.blksize, 8u);
  EXPECT_EQ(n.windowsize, 1u);
}

TEST(Negotiate, TimeoutIsGrantedAsAsked) {
  auto n = negotiate(request({{"timeout", "6"}}), OptionLimits{}, 10);
  EXPECT_EQ(n.oack, (OptionList{{"timeout", "6"}}));
  EXPECT_EQ(n.timeout_seconds, 6u);
}

TEST(Negotiate, TsizeAnswersTheSizeSent) {
  auto n = negotiate(request({{"tsize", "0"}}), OptionLimits{}, 0);
  EXPECT_EQ(n.oack, (OptionList{{"tsize", "0"}}));
  n = negotiate(request({{"tsize", "0"}}), OptionLimits{}, 73'400'320);
  EXPECT_EQ(n.oack, (OptionList{{"tsize", "73400320"}}));
}
