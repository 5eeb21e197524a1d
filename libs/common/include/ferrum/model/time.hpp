#pragma once
// Kubernetes metav1.Time: RFC 3339 in UTC with whole seconds ("2024-05-01T12:00:00Z").
// Models take the current time as a Timestamp argument rather than reading a clock, so
// callers inject their Clock and tests are deterministic.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ferrum::model {

using Timestamp = std::chrono::sys_seconds;

std::string format_rfc3339(Timestamp t);
// Accepts "Z" or a numeric offset and an optional fraction (dropped, since metav1.Time has
// seconds). Returns nullopt for anything that is not a valid date-time.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

}  // namespace ferrum::model
