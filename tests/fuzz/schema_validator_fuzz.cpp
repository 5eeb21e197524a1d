// libFuzzer target for the apiserver's schema validator (services/apiserver
// schema_validator) on the schemas Ferrum ships: every version's openAPIV3Schema of
// charts/ferrum/crds, read once at start. The first input byte picks the schema, the rest is
// the object as JSON. Checked: validation and pruning never throw; every problem names a
// message; after pruning, validation reports no unknown field (pruning drops exactly what
// validation calls unknown), and pruning again changes nothing.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ferrum/yaml.hpp"
#include "services/apiserver/schema_validator.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

std::vector<nlohmann::json> load_schemas() {
  std::vector<nlohmann::json> schemas;
  std::vector<std::filesystem::path> files;
  for (const auto& e :
       std::filesystem::directory_iterator(FERRUM_SOURCE_DIR "/charts/ferrum/crds")) {
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());  // the first byte means the same schema on every run
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream text;
    text << in.rdbuf();
    auto crd = ferrum::yaml::parse(text.str());
    FUZZ_CHECK(crd.has_value());
    for (const auto& v : (*crd)["spec"]["versions"]) {
      schemas.push_back(v["schema"]["openAPIV3Schema"]);
    }
  }
  FUZZ_CHECK(!schemas.empty());
  return schemas;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<nlohmann::json> schemas = load_schemas();
  if (size == 0) return 0;
  const nlohmann::json& schema = schemas[data[0] % schemas.size()];
  auto object = nlohmann::json::parse(ferrum::fuzz::as_text(data + 1, size - 1), nullptr, false);
  if (object.is_discarded()) return 0;

  for (const auto& p : ferrum::apiserver::validate_against_schema(schema, object)) {
    FUZZ_CHECK(!p.message.empty());
  }
  nlohmann::json pruned = object;
  ferrum::apiserver::prune_to_schema(schema, pruned);
  for (const auto& p : ferrum::apiserver::validate_against_schema(schema, pruned)) {
    if (p.unknown_field) {
      std::fprintf(stderr, "unknown field after pruning: %s: %s\n", p.field.c_str(),
                   p.message.c_str());
      FUZZ_CHECK(false);
    }
  }
  nlohmann::json twice = pruned;
  ferrum::apiserver::prune_to_schema(schema, twice);
  FUZZ_CHECK(twice == pruned);
  return 0;
}
