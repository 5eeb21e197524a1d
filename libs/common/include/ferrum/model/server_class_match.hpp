#pragma once
// Which Servers belong to a ServerClass (DESIGN.md sections 3 and 5).
//
// A Server matches a class when every criterion the class sets holds:
//  - qualifiers.hardware[]: entries are OR-ed; an entry matches when every non-zero field it
//    sets equals the Server's spec.hardware (hardware_partially_equal). A class with hardware
//    qualifiers never matches a Server without spec.hardware.
//  - qualifiers.labelSelectors[]: Sidero's rule, kept for compatibility: the Server matches if
//    ANY key/value pair of ANY of the maps is among its labels (not "all pairs of one map").
//  - spec.selector: a metav1.LabelSelector on the Server's labels; empty matches all.
// A class with none of these matches every Server; the class named "any" matches every
// Server whatever its spec says.

#include <span>
#include <string>
#include <vector>

#include "ferrum/expected.hpp"
#include "ferrum/model/label_selector.hpp"
#include "ferrum/model/server.hpp"
#include "ferrum/model/server_class.hpp"

namespace ferrum::model {

// Partial equality of a qualifier against actual values, recursively:
//  - a zero qualifier (null, "", 0, false, {} or []) matches anything, even a missing value;
//  - objects: every key of the qualifier must match the same key of actual;
//  - arrays: each qualifier entry must match a distinct actual entry (order-free). This is
//    looser than Sidero, which compared entries index by index; every class Sidero matched
//    still matches;
//  - scalars: equal by JSON value (numbers compare by value across integer/float).
bool hardware_partially_equal(const json& qualifier, const json* actual);

// Sidero's labelSelectors rule (see above). An empty list matches everything.
bool label_selector_qualifiers_match(std::span<const Labels> selectors, const Labels& labels);

// accepted, not cordoned, not in use: may be picked for allocation.
bool available_for(const Server& server);

class ServerClassMatcher {
 public:
  // Fails when spec.selector is not a valid metav1.LabelSelector (the message names the field).
  static Expected<ServerClassMatcher, std::string> compile(const ServerClass& server_class);

  bool matches(const Server& server) const;

 private:
  bool match_all_ = false;
  json hardware_;  // array (possibly empty)
  std::vector<Labels> label_selectors_;
  LabelSelector selector_;
};

struct ServerClassMembership {
  std::vector<std::string> available;  // accepted, not cordoned, not in use, matching
  std::vector<std::string> in_use;     // accepted, not cordoned, in use, matching
  bool operator==(const ServerClassMembership&) const = default;
};

// The ServerClass status lists for the given Servers, each sorted by name.
Expected<ServerClassMembership, std::string> compute_membership(const ServerClass& server_class,
                                                                std::span<const Server> servers);

}  // namespace ferrum::model
