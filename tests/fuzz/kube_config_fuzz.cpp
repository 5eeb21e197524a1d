// libFuzzer target for the kubeconfig loader (libs/common kube_config): any text parses to a
// RestConfig or an error naming the kubeconfig file, never throws; a config's server is an
// http(s) URL without a trailing slash. Texts naming device or proc files are skipped: the
// loader reads the files a kubeconfig names (certificate-authority, tokenFile), and /dev/stdin
// would wait for input rather than test the parser. Also: base64 decodes what it encodes.
#include "ferrum/kube/config.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = ferrum::fuzz::as_text(data, size);
  auto decoded = ferrum::kube::base64_decode(ferrum::kube::base64_encode(text));
  FUZZ_CHECK(decoded && *decoded == text);
  (void)ferrum::kube::base64_decode(text);

  for (std::string_view special : {"/dev", "/proc", "/sys"}) {
    if (text.find(special) != std::string_view::npos) return 0;
  }
  static const std::string kPath = "/nonexistent-ferrum-fuzz/kubeconfig";
  auto cfg = ferrum::kube::parse_kubeconfig(text, kPath);
  if (!cfg) {
    FUZZ_CHECK(cfg.error().find(kPath) != std::string::npos);
    return 0;
  }
  FUZZ_CHECK(cfg->server.rfind("https://", 0) == 0 || cfg->server.rfind("http://", 0) == 0);
  FUZZ_CHECK(cfg->server.back() != '/');
  return 0;
}
