#pragma once
// Kubernetes label selectors in both forms, compiled into one matcher:
//  - metav1.LabelSelector JSON {matchLabels, matchExpressions[{key, operator, values}]} with
//    operators In, NotIn, Exists, DoesNotExist; errors name the offending field;
//  - the string form of `?labelSelector=` (`a=b,c!=d,e in (x,y),f notin (z),g,!h`, also `==`,
//    and `k>n` / `k<n` on integer values); errors name the 0-based byte position.
// Semantics follow k8s.io/apimachinery/pkg/labels: requirements are AND-ed; `!=` and notin
// also match objects without the key; an empty selector matches everything.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferrum/expected.hpp"
#include "ferrum/model/json_fields.hpp"
#include "ferrum/model/labels.hpp"

namespace ferrum::model {

enum class SelectorOperator {
  kEquals,
  kNotEquals,
  kIn,
  kNotIn,
  kExists,
  kDoesNotExist,
  kGreaterThan,
  kLessThan,
};

struct LabelRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kExists;
  std::vector<std::string> values;

  bool matches(const Labels& labels) const;
  std::string to_string() const;
  bool operator==(const LabelRequirement&) const = default;
};

class LabelSelector {
 public:
  // Matches everything.
  LabelSelector() = default;
  // Matches nothing (a nil *metav1.LabelSelector where Kubernetes treats nil as "none").
  static LabelSelector nothing();
  // `field` prefixes error messages, e.g. "spec.selector.matchExpressions[0].operator: ...".
  // A null value is treated as the empty selector.
  static Expected<LabelSelector, std::string> from_json(const json& selector,
                                                        std::string_view field = "selector");
  static Expected<LabelSelector, std::string> parse(std::string_view text);

  bool matches(const Labels& labels) const;
  bool matches_everything() const { return !nothing_ && requirements_.empty(); }
  const std::vector<LabelRequirement>& requirements() const { return requirements_; }
  // Canonical string form (parseable by parse()).
  std::string to_string() const;

 private:
  std::vector<LabelRequirement> requirements_;
  bool nothing_ = false;
};

// nullopt when valid, else why not (Kubernetes' qualified-name and label-value rules).
std::optional<std::string> label_key_error(std::string_view key);
std::optional<std::string> label_value_error(std::string_view value);

}  // namespace ferrum::model
