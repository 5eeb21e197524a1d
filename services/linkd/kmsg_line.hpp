#pragma once
// One kmsg line from a node (Talos' kmsg sender writes a JSON object per line) enriched with
// where the machine is. Pure, and in its own file so the parser of these outside bytes is
// fuzzed alone (tests/fuzz/kmsg_line_fuzz.cpp).

#include <string>
#include <string_view>

namespace ferrum::linkd {

struct NodeAnnotation {
  std::string server_uuid;
  std::string namespace_;
  std::string cluster;
  std::string metal_machine;
  std::string machine;
  bool operator==(const NodeAnnotation&) const = default;
};

// kmsg: one line (without '\n') of JSON object from a node at `source` (its tunnel
// address) becomes `out`: the same object plus the annotation keys (empty ones left out)
// and "node": source. The error says why a line is not a JSON object; `out` is then unset.
// Keys of the annotation already in the line are replaced.
std::string enrich_kmsg_line(std::string_view line, std::string_view source,
                             const NodeAnnotation* annotation, std::string& out);

}  // namespace ferrum::linkd
