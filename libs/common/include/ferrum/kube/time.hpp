#pragma once
// Kubernetes timestamps: metav1.Time ("2006-01-02T15:04:05Z", whole seconds) and
// metav1.MicroTime ("2006-01-02T15:04:05.000000Z"), always UTC.

#include <optional>
#include <string>
#include <string_view>

#include "ferrum/clock.hpp"

namespace ferrum::kube {

std::string format_time(Clock::WallTime t);
std::string format_micro_time(Clock::WallTime t);
// Either form, any number of fractional digits, "Z" only (Kubernetes writes nothing else).
std::optional<Clock::WallTime> parse_time(std::string_view s);

}  // namespace ferrum::kube
