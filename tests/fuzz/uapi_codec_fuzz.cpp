// libFuzzer target for the wireguard-go UAPI codec (services/linkd uapi_codec, wg_key): a
// get=1 reply parses or fails with a message; a parsed reply's peers render into a set=1
// request (or a refusal naming the problem); keys survive hex and base64 round trips; the
// set reply check and reply_complete() agree on what a terminated reply is.
#include "services/linkd/uapi_codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace ferrum::linkd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view reply = ferrum::fuzz::as_text(data, size);
  bool complete = reply_complete(reply);
  std::string set_error = check_set_reply(reply);
  // A reply accepted as errno=0 is one the reader would have stopped at.
  if (set_error.empty()) FUZZ_CHECK(reply.find("\n\n") != std::string_view::npos);

  if (auto k = parse_key_hex(reply)) {
    FUZZ_CHECK(parse_key_hex(k->hex()) == k);
    FUZZ_CHECK(parse_key_base64(k->base64()) == k);
  }
  if (auto k = parse_key_base64(reply)) {
    FUZZ_CHECK(k->base64() == reply);
    FUZZ_CHECK(parse_key_hex(k->hex()) == k);
  }

  auto status = parse_get(reply);
  if (!status) {
    FUZZ_CHECK(!status.error().empty());
    return 0;
  }
  (void)complete;
  DeviceChange change;
  change.listen_port = status->listen_port;
  for (const auto& p : status->peers) {
    FUZZ_CHECK(parse_key_hex(p.public_key.hex()) == p.public_key);
    change.peers.push_back(PeerChange{p.public_key, false, p.allowed_ips, 25});
  }
  auto request = render_set(change);
  if (!request) {
    FUZZ_CHECK(!request.error().empty());
    return 0;
  }
  FUZZ_CHECK(request->rfind("set=1\n", 0) == 0);
  FUZZ_CHECK(request->size() >= 2 && request->compare(request->size() - 2, 2, "\n\n") == 0);
  // Exactly one empty line: the terminator (a value with a newline would smuggle a command).
  FUZZ_CHECK(request->find("\n\n") == request->size() - 2);
  return 0;
}
