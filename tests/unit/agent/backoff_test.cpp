#include "backoff.hpp"

#include <gtest/gtest.h>

namespace ferrum::agent {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesUpToTheCap) {
  Backoff b(milliseconds(500), milliseconds(3000), 0.2, [] { return 0.0; });
  std::vector<long long> got;
  for (int i = 0; i < 6; ++i) got.push_back(b.next().count());
  EXPECT_EQ(got, (std::vector<long long>{500, 1000, 2000, 3000, 3000, 3000}));
  EXPECT_EQ(b.attempts(), 6);
  b.reset();
  EXPECT_EQ(b.next().count(), 500);
}

TEST(Backoff, JitterShortensByAtMostTheFraction) {
  Backoff full(milliseconds(1000), milliseconds(8000), 0.25, [] { return 1.0; });
  EXPECT_EQ(full.next().count(), 750);
  EXPECT_EQ(full.next().count(), 1500);
  Backoff half(milliseconds(1000), milliseconds(8000), 0.25, [] { return 0.5; });
  EXPECT_EQ(half.next().count(), 875);
}

}  // namespace
}  // namespace ferrum::agent
