// libFuzzer target for the kmsg line a node sends to ferrum-linkd (services/linkd kmsg_line):
// a line is enriched or refused with a reason, never throws; an enriched line is one JSON
// object (a single line, so the output stays JSON lines) that carries the annotation and
// "node": the source, whatever keys the node's line already had.
#include <nlohmann/json.hpp>

#include "services/linkd/kmsg_line.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace ferrum::linkd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line = ferrum::fuzz::as_text(data, size);
  // The receiver splits at '\n'; a line never contains one.
  line = line.substr(0, line.find('\n'));
  static const NodeAnnotation kAnnotation{"4c4c4544-0031-3210-8048-b4c04f4d3732", "default",
                                          "management", "mm-0", "machine-0"};
  std::string out = "unset";
  for (const NodeAnnotation* a : {&kAnnotation, static_cast<const NodeAnnotation*>(nullptr)}) {
    std::string err = enrich_kmsg_line(line, "fdae:41e4:649b:9303::2", a, out);
    if (!err.empty()) continue;
    FUZZ_CHECK(out.find('\n') == std::string::npos);
    auto j = nlohmann::json::parse(out, nullptr, false);
    FUZZ_CHECK(!j.is_discarded() && j.is_object());
    FUZZ_CHECK(j.value("node", "") == "fdae:41e4:649b:9303::2");
    if (a != nullptr) {
      FUZZ_CHECK(j.value("server_uuid", "") == a->server_uuid);
      FUZZ_CHECK(j.value("machine", "") == a->machine);
    }
  }
  return 0;
}
