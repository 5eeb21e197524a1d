#include "backoff.hpp"

#include <algorithm>

namespace ferrum::agent {

std::chrono::milliseconds Backoff::next() {
  double base = static_cast<double>(initial_.count());
  for (int i = 0; i < attempt_ && base < static_cast<double>(cap_.count()); ++i) base *= 2;
  base = std::min(base, static_cast<double>(cap_.count()));
  ++attempt_;
  double r = std::clamp(random01_ ? random01_() : 1.0, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(base * (1.0 - jitter_ * r)));
}

}  // namespace ferrum::agent
