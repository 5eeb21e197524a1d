#include "decision_cache.hpp"

#include <gtest/gtest.h>

namespace ferrum::ipxe {
namespace {

std::shared_ptr<const BootDecision> decision(std::string body) {
  BootDecision d;
  d.outcome = Outcome::kEnvironment;
  d.http_status = 200;
  d.body = std::move(body);
  return std::make_shared<const BootDecision>(std::move(d));
}

DecisionCache::Stamp stamp(std::uint64_t g) { return {{g, 1, 1, 1, 1, 1}}; }

TEST(DecisionCache, HitsOnlyForTheSameKeyAndStamp) {
  DecisionCache cache(100);
  auto d = decision("#!ipxe\n");
  cache.store("u\nm\namd64", stamp(1), d);
  EXPECT_EQ(cache.find("u\nm\namd64", stamp(1)), d);
  EXPECT_EQ(cache.find("u\nm\narm64", stamp(1)), nullptr);
  for (std::size_t i = 0; i < stamp(1).generations.size(); ++i) {
    DecisionCache::Stamp moved = stamp(1);
    ++moved.generations[i];
    EXPECT_EQ(cache.find("u\nm\namd64", moved), nullptr) << "generation " << i;
  }
  auto newer = decision("#!ipxe\nexit\n");
  cache.store("u\nm\namd64", stamp(2), newer);
  EXPECT_EQ(cache.find("u\nm\namd64", stamp(2)), newer);
  EXPECT_EQ(cache.find("u\nm\namd64", stamp(1)), nullptr);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(DecisionCache, KeyHoldsWhatTheDecisionReads) {
  BootQuery a{"4c4c4544-0042-3410-8052-b2c04f384d32", "52:54:00:12:34:56", "amd64", "d", "h", "s"};
  BootQuery b = a;
  b.domain = "other";
  b.hostname = "other";
  b.serial = "other";
  EXPECT_EQ(DecisionCache::key(a), DecisionCache::key(b)) << "decide() reads none of these";
  for (auto field : {&BootQuery::uuid, &BootQuery::mac, &BootQuery::arch}) {
    BootQuery c = a;
    c.*field = "x";
    EXPECT_NE(DecisionCache::key(a), DecisionCache::key(c));
  }
  BootQuery shifted = a;
  shifted.uuid = "";
  shifted.mac = a.uuid + "\n" + a.mac;  // no two queries share a key by moving text around
  EXPECT_NE(DecisionCache::key(a), DecisionCache::key(shifted));
}

TEST(DecisionCache, BoundedAndZeroMeansOff) {
  DecisionCache cache(32);
  for (int i = 0; i < 1000; ++i) cache.store("key" + std::to_string(i), stamp(1), decision("x"));
  EXPECT_LE(cache.size(), 32u + 15u);  // per-shard bound, rounded up
  EXPECT_GT(cache.size(), 0u);

  DecisionCache off(0);
  off.store("k", stamp(1), decision("x"));
  EXPECT_EQ(off.find("k", stamp(1)), nullptr);
  EXPECT_EQ(off.size(), 0u);
}

// The installation Secret feeds talos.logging.kernel / talos.events.sink: a change to it must
// end every cached decision.
TEST(DecisionCache, StampFollowsTheInstallationSecret) {
  kube::ObjectStore servers, bindings, classes, environments, secrets;
  struct NoAssets final : AssetReadiness {
    std::string environment_unready(const nlohmann::json&) const override { return ""; }
    std::string agent_unready(const std::string&) const override { return ""; }
    std::uint64_t generation() const override { return 0; }
  } assets;
  BootCaches without{servers, bindings, classes, environments};
  BootCaches with{servers, bindings, classes, environments};
  with.link_secrets = &secrets;
  auto before = DecisionCache::stamp(with, assets);
  EXPECT_EQ(before, DecisionCache::stamp(without, assets));
  secrets.upsert("ferrum-system/siderolink", std::make_shared<const nlohmann::json>(nlohmann::json{
                                                 {"metadata", {{"name", "siderolink"}}}}));
  EXPECT_NE(DecisionCache::stamp(with, assets), before);
}

}  // namespace
}  // namespace ferrum::ipxe
