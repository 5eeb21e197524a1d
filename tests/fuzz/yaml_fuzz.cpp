// libFuzzer target for YAML -> JSON (libs/common yaml): parsing never throws (errors are
// ParseError with a position inside the text, or none); a parsed stream emits without
// throwing and the emitted YAML parses back to the same documents (the contract's round
// trip); a single-document parse agrees with the stream parse and refuses several documents.
#include "ferrum/yaml.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/json_equal.hpp"

namespace yaml = ferrum::yaml;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = ferrum::fuzz::as_text(data, size);
  auto docs = yaml::parse_all(text);
  if (!docs) {
    FUZZ_CHECK(!docs.error().reason.empty());
    FUZZ_CHECK(!yaml::parse(text));
    return 0;
  }
  auto one = yaml::parse(text);
  // parse() keeps a null document that parse_all() drops; otherwise they agree.
  if (one && docs->size() == 1) FUZZ_CHECK(ferrum::fuzz::same_json(*one, docs->front()));
  if (docs->size() > 1) FUZZ_CHECK(!one);
  std::string emitted = yaml::emit_all(*docs);
  auto again = yaml::parse_all(emitted);
  if (!again) {
    std::fprintf(stderr, "emitted YAML does not parse: %s\n---\n%s\n",
                 again.error().message().c_str(), emitted.c_str());
    FUZZ_CHECK(false);
  }
  FUZZ_CHECK(again->size() == docs->size());
  for (std::size_t i = 0; i < docs->size(); ++i) {
    if (!ferrum::fuzz::same_json((*docs)[i], (*again)[i])) {
      std::fprintf(
          stderr, "round trip differs:\n%s\n---\n%s\n",
          (*docs)[i].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str(),
          (*again)[i].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      FUZZ_CHECK(false);
    }
  }
  return 0;
}
