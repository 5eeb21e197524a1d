// libFuzzer target for ferrum-tftpd's pure code: the packet decoder (every input must decode
// to exactly one of packet or error, and re-encode to something that decodes the same),
// option negotiation and path normalization on decoded requests, and the transfer state
// machine driven by ACK numbers taken from the input. Invariant violations abort.
#include "services/tftpd/options.hpp"
#include "services/tftpd/packet.hpp"
#include "services/tftpd/path_resolver.hpp"
#include "services/tftpd/transfer.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace ferrum::tftp;

namespace {

void check_request(const Request& req, std::size_t size) {
  FUZZ_CHECK(!req.filename.empty());
  Negotiated n = negotiate(req, OptionLimits{1468, 64}, size);
  FUZZ_CHECK(n.blksize >= kMinBlksize && n.blksize <= 1468);
  FUZZ_CHECK(n.windowsize >= 1 && n.windowsize <= 64);
  FUZZ_CHECK(n.oack.size() <= req.option_order.size());
  // The OACK encodes and decodes to the same list.
  std::vector<std::uint8_t> buf(2048);
  auto len = encode_oack(buf, n.oack);
  FUZZ_CHECK(len > 0);
  buf.resize(len);
  auto back = decode(buf);
  FUZZ_CHECK(back.packet.has_value());
  FUZZ_CHECK(std::get<Oack>(*back.packet).options == n.oack);
  // Normalized paths are relative and free of '..'.
  auto path = normalize_request_path(req.filename);
  if (path) {
    const std::string& p = *path;
    FUZZ_CHECK(!p.empty() && p[0] != '/');
    FUZZ_CHECK(p.find('\\') == std::string::npos);
    FUZZ_CHECK(p != ".." && p.find("../") != 0 && p.find("/../") == std::string::npos &&
               (p.size() < 3 || p.compare(p.size() - 3, 3, "/..") != 0));
  } else {
    FUZZ_CHECK(path.error().code == ErrorCode::kAccessViolation);
  }
}

void drive_transfer(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return;
  TransferConfig c;
  c.size = static_cast<std::uint64_t>(data[0]) * 977 + data[1];
  c.blksize = 8 + data[2] % 64;
  c.windowsize = 1 + data[3] % 16;
  c.send_oack = (data[0] & 1) != 0;
  c.max_retries = 3;
  Transfer t(c);
  auto check_step = [&](const Step& s) {
    FUZZ_CHECK(t.acked() <= t.sent_upto() || t.sent_upto() == 0);
    FUZZ_CHECK(t.sent_upto() <= t.total_blocks());
    if (s.action == Step::Action::kSendBlocks) {
      FUZZ_CHECK(s.first == t.acked() + 1);
      FUZZ_CHECK(s.first <= s.last && s.last <= t.total_blocks());
      FUZZ_CHECK(s.last - s.first + 1 <= c.windowsize);
    }
    if (s.action == Step::Action::kComplete) FUZZ_CHECK(t.acked() == t.total_blocks());
  };
  check_step(t.start());
  for (std::size_t i = 4; i + 1 < size && !t.done(); i += 2) {
    std::uint16_t v = static_cast<std::uint16_t>((data[i] << 8) | data[i + 1]);
    std::uint64_t before = t.acked();
    // 0xffff is a timeout; other values are ACKs, near the window so they often count.
    if (v == 0xffff) {
      check_step(t.on_timeout());
    } else {
      std::uint16_t block = static_cast<std::uint16_t>(Transfer::wire_block(t.acked()) + (v % 24));
      Step s = t.on_ack(block);
      check_step(s);
      FUZZ_CHECK(t.acked() >= before);
      // No ACK that acknowledges nothing new ever causes sending.
      if (t.acked() == before && !(c.send_oack && before == 0 && block == 0)) {
        FUZZ_CHECK(s.action == Step::Action::kNothing);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = decode(std::span<const std::uint8_t>(data, size));
  FUZZ_CHECK(r.packet.has_value() != r.error.has_value());
  if (r.error) {
    FUZZ_CHECK(!r.error->message.empty());
  } else if (auto* req = std::get_if<Request>(&*r.packet)) {
    check_request(*req, size);
  } else if (auto* d = std::get_if<Data>(&*r.packet)) {
    FUZZ_CHECK(d->payload.size() + 4 == size);
  }
  drive_transfer(data, size);
  return 0;
}
