// libFuzzer target for the patch engine (libs/common patch): the input is a document and a
// patch separated by a NUL byte (each YAML or JSON; a third part, when present, is a
// strategic patch stream). Checked: nothing but the documented error types comes out (an
// exception escaping is a crash); RFC 6902 errors name an operation that exists; the copying
// and the in-place overloads agree; an RFC 7386 merge patch applied twice changes nothing
// more (merge patches are idempotent); a strategic patch's errors name a patch document that
// exists.
#include "ferrum/patch.hpp"
#include "ferrum/yaml.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/json_equal.hpp"

namespace patch = ferrum::patch;
namespace yaml = ferrum::yaml;
using ferrum::fuzz::same_json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = ferrum::fuzz::split_parts(ferrum::fuzz::as_text(data, size), 3);
  if (parts.size() < 2) return 0;
  auto doc = yaml::parse(parts[0]);
  auto p = yaml::parse(parts[1]);
  if (doc && p) {
    auto r = patch::apply_json_patch(*doc, *p);
    auto in_place = patch::apply_json_patch(nlohmann::json(*doc), *p);
    FUZZ_CHECK(r.has_value() == in_place.has_value());
    if (r) {
      FUZZ_CHECK(same_json(*r, *in_place));
    } else {
      const auto& e = r.error();
      FUZZ_CHECK(e.index == patch::PatchError::kWholePatch ||
                 (p->is_array() && e.index < p->size()));
      FUZZ_CHECK(!e.reason.empty());
      FUZZ_CHECK(e.message() == in_place.error().message());
    }

    // A merge patch either fails (too deep) or is idempotent.
    auto merged = patch::apply_merge_patch(*doc, *p);
    if (merged) {
      auto again = patch::apply_merge_patch(*merged, *p);
      FUZZ_CHECK(again.has_value());
      FUZZ_CHECK(same_json(*again, *merged));
    } else {
      FUZZ_CHECK(!merged.error().message().empty());
    }
  }

  // The whole first part as a config stream, the last part as the strategic patch stream.
  auto config = yaml::parse_all(parts[0]);
  if (!config) return 0;
  std::string_view stream = parts.back();
  auto s = patch::apply_strategic_patch(*config, stream);
  auto s_in_place = patch::apply_strategic_patch(std::vector<nlohmann::json>(*config), stream);
  FUZZ_CHECK(s.has_value() == s_in_place.has_value());
  if (s) {
    FUZZ_CHECK(s->size() == s_in_place->size());
    for (std::size_t i = 0; i < s->size(); ++i) FUZZ_CHECK(same_json((*s)[i], (*s_in_place)[i]));
  } else {
    FUZZ_CHECK(!s.error().reason.empty());
    FUZZ_CHECK(s.error().message() == s_in_place.error().message());
  }
  return 0;
}
