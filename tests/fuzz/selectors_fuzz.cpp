// libFuzzer target for label and field selectors (libs/common model_label_selector, the
// apiserver's field_selector). Parts, split at NUL bytes: a label selector string, a field
// selector string, a JSON object (label selector JSON and the object to match), and label
// lines `key=value`. Checked: a parsed label selector's canonical form parses back to a
// selector with the same canonical form that matches the same labels; a JSON selector that
// compiles has a canonical form the string parser accepts; field selectors parse or fail
// with a message for every resource kind that has its own fields, and matching never throws.
#include "ferrum/model/label_selector.hpp"
#include "services/apiserver/field_selector.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using ferrum::model::LabelSelector;

namespace {

ferrum::model::Labels labels_from(std::string_view lines) {
  ferrum::model::Labels labels;
  while (!lines.empty()) {
    auto nl = lines.find('\n');
    std::string_view line = lines.substr(0, nl);
    lines.remove_prefix(nl == std::string_view::npos ? lines.size() : nl + 1);
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    labels[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return labels;
}

void check_round_trip(const LabelSelector& sel, const ferrum::model::Labels& labels) {
  std::string canonical = sel.to_string();
  auto again = LabelSelector::parse(canonical);
  if (!again) {
    std::fprintf(stderr, "canonical form %s does not parse: %s\n", canonical.c_str(),
                 again.error().c_str());
    FUZZ_CHECK(false);
  }
  FUZZ_CHECK(again->to_string() == canonical);
  FUZZ_CHECK(again->matches(labels) == sel.matches(labels));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = ferrum::fuzz::split_parts(ferrum::fuzz::as_text(data, size), 4);
  parts.resize(4);
  auto labels = labels_from(parts[3]);

  auto sel = LabelSelector::parse(parts[0]);
  if (sel) {
    check_round_trip(*sel, labels);
  } else {
    FUZZ_CHECK(sel.error().rfind("position ", 0) == 0);
  }

  auto object = nlohmann::json::parse(parts[2], nullptr, false);
  if (!object.is_discarded()) {
    auto from_json = LabelSelector::from_json(object);
    if (from_json) {
      check_round_trip(*from_json, labels);
    } else {
      FUZZ_CHECK(from_json.error().rfind("selector", 0) == 0);
    }
  }

  static constexpr std::pair<std::string_view, std::string_view> kKinds[] = {
      {"", "events"}, {"", "secrets"}, {"metal.sidero.dev", "servers"}};
  for (auto [group, plural] : kKinds) {
    auto fields = ferrum::apiserver::parse_field_selector(parts[1], group, plural);
    if (!fields) {
      FUZZ_CHECK(!fields.error().empty());
      continue;
    }
    for (const auto& r : *fields) FUZZ_CHECK(!r.field.empty());
    if (!object.is_discarded()) (void)ferrum::apiserver::fields_match(*fields, object);
  }
  return 0;
}
