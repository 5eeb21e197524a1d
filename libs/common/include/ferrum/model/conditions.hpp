#pragma once
// Cluster API style conditions (status.conditions[] of Server, MetalMachine, ServerBinding):
// {type, status "True"|"False"|"Unknown", severity, reason, message, lastTransitionTime}.
// Contract: at most one entry per type; set_condition keeps lastTransitionTime when the
// status did not change and stamps `now` when it did (or when the condition is new); keys
// of an entry that Ferrum does not model are kept; empty severity/reason/message are omitted.

#include <optional>
#include <string>
#include <string_view>

#include "ferrum/model/object.hpp"

namespace ferrum::model {

inline constexpr std::string_view kStatusTrue = "True";
inline constexpr std::string_view kStatusFalse = "False";
inline constexpr std::string_view kStatusUnknown = "Unknown";

inline constexpr std::string_view kSeverityError = "Error";
inline constexpr std::string_view kSeverityWarning = "Warning";
inline constexpr std::string_view kSeverityInfo = "Info";

struct Condition {
  std::string type;
  std::string status;
  std::string severity;
  std::string reason;
  std::string message;
  // Ignored by set_condition, which decides the transition time itself.
  std::optional<Timestamp> last_transition_time;

  bool is_true() const { return status == kStatusTrue; }
  bool operator==(const Condition&) const = default;
};

void to_json(json& j, const Condition& c);
void from_json(const json& j, Condition& c);

// These operate on a conditions array; a null or non-array value counts as empty.
std::optional<Condition> find_condition(const json& conditions, std::string_view type);
bool is_condition_true(const json& conditions, std::string_view type);
// Returns whether anything changed.
bool set_condition(json& conditions, const Condition& c, Timestamp now);
bool remove_condition(json& conditions, std::string_view type);

// An object whose status.conditions holds Cluster API conditions.
class ConditionedObject : public Object {
 public:
  using Object::Object;

  // The status.conditions array, or an empty array when there is none.
  const json& conditions() const;
  std::optional<Condition> condition(std::string_view type) const;
  bool is_condition_true(std::string_view type) const;
  bool set_condition(const Condition& c, Timestamp now);
  bool remove_condition(std::string_view type);
};

}  // namespace ferrum::model
