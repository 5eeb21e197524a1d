// The TFTP codec: every packet type, every option, and malformed input.
#include "packet.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace ferrum::tftp;

namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }
// Literal packets with embedded NULs: "\0\1" etc.
template <std::size_t N>
std::vector<std::uint8_t> raw(const char (&s)[N]) {
  return std::vector<std::uint8_t>(s, s + N - 1);
}

}  // namespace

TEST(PacketDecode, ReadRequestWithoutOptions) {
  auto r = decode(raw("\0\1pxelinux.0\0octet\0"));
  ASSERT_TRUE(r) << r.error->message;
  auto& req = std::get<Request>(*r.packet);
  EXPECT_EQ(req.opcode, Opcode::kRrq);
  EXPECT_EQ(req.filename, "pxelinux.0");
  EXPECT_EQ(req.mode, Mode::kOctet);
  EXPECT_FALSE(req.options.blksize || req.options.tsize || req.options.timeout ||
               req.options.windowsize);
  EXPECT_TRUE(req.option_order.empty());
}

TEST(PacketDecode, ModeIsCaseInsensitive) {
  auto r = decode(raw("\0\1f\0NetASCII\0"));
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<Request>(*r.packet).mode, Mode::kNetascii);
  r = decode(raw("\0\1f\0OCTET\0"));
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<Request>(*r.packet).mode, Mode::kOctet);
}

TEST(PacketDecode, WriteRequest) {
  auto r = decode(raw("\0\2up.bin\0octet\0"));
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<Request>(*r.packet).opcode, Opcode::kWrq);
}

TEST(PacketDecode, AllKnownOptionsInOrderCaseInsensitive) {
  auto r =
      decode(raw("\0\1snponly.efi\0octet\0TSIZE\0"
                 "0\0BlkSize\0"
                 "1468\0windowsize\0"
                 "4\0timeout\0"
                 "3\0"));
  ASSERT_TRUE(r) << r.error->message;
  auto& req = std::get<Request>(*r.packet);
  EXPECT_EQ(req.options.tsize, 0u);
  EXPECT_EQ(req.options.blksize, 1468u);
  EXPECT_EQ(req.options.windowsize, 4u);
  EXPECT_EQ(req.options.timeout, 3u);
  EXPECT_EQ(req.option_order,
            (std::vector<std::string>{"tsize", "blksize", "windowsize", "timeout"}));
  EXPECT_TRUE(req.unknown_options.empty());
}

TEST(PacketDecode, UnknownOptionsAreKept) {
  auto r =
      decode(raw("\0\1f\0octet\0multicast\0\0blksize\0"
                 "512\0X-Vendor\0abc\0"));
  ASSERT_TRUE(r) << r.error->message;
  auto& req = std::get<Request>(*r.packet);
  EXPECT_EQ(req.unknown_options, (OptionList{{"multicast", ""}, {"x-vendor", "abc"}}));
  EXPECT_EQ(req.options.blksize, 512u);
}

TEST(PacketDecode, OptionRangeEdges) {
  struct Case {
    std::string name, value;
    bool ok;
  };
  std::vector<Case> cases = {
      {"blksize", "8", true},
      {"blksize", "7", false},
      {"blksize", "65464", true},
      {"blksize", "65465", false},
      {"timeout", "1", true},
      {"timeout", "0", false},
      {"timeout", "255", true},
      {"timeout", "256", false},
      {"windowsize", "1", true},
      {"windowsize", "0", false},
      {"windowsize", "65535", true},
      {"windowsize", "65536", false},
      {"tsize", "0", true},
      {"tsize", "9223372036854775807", true},
      {"tsize", "9223372036854775808", false},
      {"blksize", "", false},
      {"blksize", "-1", false},
      {"blksize", "+512", false},
      {"blksize", "0x200", false},
      {"blksize", "512 ", false},
      {"tsize", "99999999999999999999999", false},
  };
  for (const auto& c : cases) {
    auto pkt = encode_request(Opcode::kRrq, "f", Mode::kOctet, {{c.name, c.value}});
    auto r = decode(pkt);
    EXPECT_EQ(static_cast<bool>(r), c.ok) << c.name << "=" << c.value;
    if (!c.ok) {
      ASSERT_TRUE(r.error);
      EXPECT_EQ(r.error->kind, DecodeErrorKind::kBadOptionValue) << c.name << "=" << c.value;
      EXPECT_NE(r.error->message.find(c.name), std::string::npos) << r.error->message;
      EXPECT_EQ(reply_code_for(r.error->kind), ErrorCode::kOptionRefused);
    }
  }
}

TEST(PacketDecode, TrailingNulPaddingIsTolerated) {
  auto r =
      decode(raw("\0\1f\0octet\0blksize\0"
                 "1024\0\0\0\0"));
  ASSERT_TRUE(r) << r.error->message;
  EXPECT_EQ(std::get<Request>(*r.packet).options.blksize, 1024u);
}

TEST(PacketDecode, DataAckErrorOack) {
  auto data_bytes = raw("\0\3\x12\x34hello");
  auto d = decode(data_bytes);
  ASSERT_TRUE(d);
  auto& data = std::get<Data>(*d.packet);
  EXPECT_EQ(data.block, 0x1234);
  EXPECT_EQ(std::string(data.payload.begin(), data.payload.end()), "hello");

  auto empty_bytes = raw("\0\3\0\1");
  auto empty = decode(empty_bytes);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(std::get<Data>(*empty.packet).payload.empty());

  auto a = decode(raw("\0\4\xff\xff"));
  ASSERT_TRUE(a);
  EXPECT_EQ(std::get<Ack>(*a.packet).block, 65535);

  auto e = decode(raw("\0\5\0\x08option refused\0"));
  ASSERT_TRUE(e);
  EXPECT_EQ(std::get<Error>(*e.packet).code, 8);
  EXPECT_EQ(std::get<Error>(*e.packet).message, "option refused");

  auto e2 = decode(raw("\0\5\0\1no nul"));
  ASSERT_TRUE(e2);
  EXPECT_EQ(std::get<Error>(*e2.packet).message, "no nul");

  auto o =
      decode(raw("\0\6blksize\0"
                 "1468\0tsize\0"
                 "42\0"));
  ASSERT_TRUE(o);
  EXPECT_EQ(std::get<Oack>(*o.packet).options, (OptionList{{"blksize", "1468"}, {"tsize", "42"}}));
}

TEST(PacketDecode, MalformedPacketsNameTheProblem) {
  struct Case {
    std::vector<std::uint8_t> pkt;
    DecodeErrorKind kind;
    std::string mentions;
  };
  std::vector<Case> cases = {
      {{}, DecodeErrorKind::kTooShort, "shorter"},
      {{0}, DecodeErrorKind::kTooShort, "shorter"},
      {raw("\0\7abc"), DecodeErrorKind::kBadOpcode, "opcode 7"},
      {raw("\0\0"), DecodeErrorKind::kBadOpcode, "opcode 0"},
      {raw("\xff\xff"), DecodeErrorKind::kBadOpcode, "opcode 65535"},
      {raw("\0\1"), DecodeErrorKind::kUnterminated, "filename"},
      {raw("\0\1file"), DecodeErrorKind::kUnterminated, "filename"},
      {raw("\0\1file\0octet"), DecodeErrorKind::kUnterminated, "mode"},
      {raw("\0\1\0octet\0"), DecodeErrorKind::kEmptyFilename, "empty"},
      {raw("\0\1f\0mail\0"), DecodeErrorKind::kBadMode, "mail"},
      {raw("\0\1f\0binary\0"), DecodeErrorKind::kBadMode, "binary"},
      {raw("\0\1f\0octet\0blksize\0"), DecodeErrorKind::kOptionNoValue, "blksize"},
      {raw("\0\1f\0octet\0blksize\0"
           "512"),
       DecodeErrorKind::kUnterminated, "blksize"},
      {raw("\0\1f\0octet\0blks"), DecodeErrorKind::kUnterminated, "option name"},
      {raw("\0\1f\0octet\0blksize\0"
           "512\0BLKSIZE\0"
           "1024\0"),
       DecodeErrorKind::kDuplicateOption, "twice"},
      {raw("\0\1f\0octet\0\0junk\0"), DecodeErrorKind::kTrailingBytes, "empty option"},
      {raw("\0\3\0"), DecodeErrorKind::kTooShort, "DATA"},
      {raw("\0\4\0"), DecodeErrorKind::kTooShort, "ACK"},
      {raw("\0\5\0"), DecodeErrorKind::kTooShort, "ERROR"},
      {raw("\0\6blksize\0"), DecodeErrorKind::kOptionNoValue, "blksize"},
  };
  for (const auto& c : cases) {
    auto r = decode(c.pkt);
    ASSERT_FALSE(r) << "case mentioning " << c.mentions;
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->kind, c.kind) << r.error->message;
    EXPECT_NE(r.error->message.find(c.mentions), std::string::npos) << r.error->message;
  }
}

TEST(PacketDecode, MalformedRequestsAreAnsweredWithTheRightCode) {
  EXPECT_EQ(reply_code_for(DecodeErrorKind::kBadMode), ErrorCode::kIllegalOperation);
  EXPECT_EQ(reply_code_for(DecodeErrorKind::kUnterminated), ErrorCode::kIllegalOperation);
  EXPECT_EQ(reply_code_for(DecodeErrorKind::kDuplicateOption), ErrorCode::kOptionRefused);
  EXPECT_EQ(reply_code_for(DecodeErrorKind::kOptionNoValue), ErrorCode::kOptionRefused);
}

TEST(PacketEncode, DataAckErrorOackBytes) {
  std::vector<std::uint8_t> out(64);
  std::vector<std::uint8_t> payload = bytes("abc");
  EXPECT_EQ(encode_data(out, 0x0102, payload), 7u);
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + 7), raw("\0\3\1\2abc"));

  EXPECT_EQ(encode_ack(out, 513), 4u);
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + 4), raw("\0\4\2\1"));

  auto n = encode_error(out, ErrorCode::kFileNotFound, "nope");
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + static_cast<long>(n)),
            raw("\0\5\0\1nope\0"));

  n = encode_error(out, ErrorCode::kNotDefined, std::string("cut\0here", 8));
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + static_cast<long>(n)),
            raw("\0\5\0\0cut\0"));

  n = encode_oack(out, {{"blksize", "1468"}, {"tsize", "9"}});
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + static_cast<long>(n)),
            raw("\0\6blksize\0"
                "1468\0tsize\0"
                "9\0"));
}

TEST(PacketEncode, TooSmallBufferWritesNothing) {
  std::vector<std::uint8_t> out(3);
  EXPECT_EQ(encode_ack(out, 1), 0u);
  EXPECT_EQ(encode_data(out, 1, {}), 0u);
  EXPECT_EQ(encode_error(out, ErrorCode::kNotDefined, ""), 0u);
  std::vector<std::uint8_t> small(10);
  EXPECT_EQ(encode_oack(small, {{"blksize", "1468"}}), 0u);
  EXPECT_EQ(encode_request(small, Opcode::kRrq, "a-long-file-name", Mode::kOctet, {}), 0u);
}

TEST(PacketEncode, RequestRoundTrip) {
  auto pkt = encode_request(Opcode::kRrq, "/boot/ipxe.efi", Mode::kNetascii,
                            {{"blksize", "1432"}, {"tsize", "0"}});
  auto r = decode(pkt);
  ASSERT_TRUE(r);
  auto& req = std::get<Request>(*r.packet);
  EXPECT_EQ(req.filename, "/boot/ipxe.efi");
  EXPECT_EQ(req.mode, Mode::kNetascii);
  EXPECT_EQ(req.options.blksize, 1432u);
  EXPECT_EQ(req.options.tsize, 0u);
}
