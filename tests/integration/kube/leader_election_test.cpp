// Leader election between two real processes on a real ferrum-apiserver: one leads, the
// other waits; after kill -9 of the leader the other leads within the lease duration (plus
// the retry granularity: it must first see the lease unchanged for a whole lease duration).
#include <gtest/gtest.h>

#include "apiserver_process.hpp"
#include "ferrum/kube/client.hpp"

using namespace ferrum::kube;
using namespace kubeit;
using namespace std::chrono_literals;

namespace {
constexpr int kLeaseMs = 3000, kRenewMs = 2000, kRetryMs = 400;

std::string holder(Client& c) {
  auto l = c.get(resources::leases(), "default", "it-lease");
  if (!l) return "";
  return (*l)["spec"].value("holderIdentity", "");
}

std::unique_ptr<Process> candidate(const ApiServer& server, const std::string& id) {
  return std::make_unique<Process>(
      std::vector<std::string>{FERRUM_LEASE_CANDIDATE_BIN, server.kubeconfig_path(), id, "it-lease",
                               std::to_string(kLeaseMs), std::to_string(kRenewMs),
                               std::to_string(kRetryMs)},
      server.data_dir() + "/candidate-" + id + ".log");
}
}  // namespace

TEST(KubeLeaderElection, StandbyLeadsWithinLeaseDurationAfterKill9) {
  ApiServer server;
  server.start();
  RestClient client(server.config());
  auto a = candidate(server, "a");
  ASSERT_TRUE(eventually([&] { return holder(client) == "a"; }))
      << read_text(server.data_dir() + "/candidate-a.log");
  auto b = candidate(server, "b");
  // b campaigns for several rounds but a keeps renewing.
  std::this_thread::sleep_for(std::chrono::milliseconds(kLeaseMs + 2 * kRetryMs));
  EXPECT_EQ(holder(client), "a");
  EXPECT_TRUE(b->running());

  const auto killed = std::chrono::steady_clock::now();
  a->kill(SIGKILL);
  ASSERT_TRUE(eventually([&] { return holder(client) == "b"; }, 20s));
  const auto took = std::chrono::steady_clock::now() - killed;
  // b saw a's last renewal at most retry*(1+jitter) after it was written, and takes over at
  // its first attempt a full lease duration after that.
  const auto bound = std::chrono::milliseconds(kLeaseMs + static_cast<int>(2.2 * kRetryMs) + 500);
  EXPECT_LE(took, bound) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                         << "ms";
  EXPECT_GE(took, std::chrono::milliseconds(kLeaseMs - kRetryMs));
  auto lease = client.get(resources::leases(), "default", "it-lease");
  ASSERT_TRUE(lease);
  EXPECT_EQ((*lease)["spec"]["leaseTransitions"], 1);
  EXPECT_EQ((*lease)["spec"]["leaseDurationSeconds"], 3);
  EXPECT_TRUE(eventually(
      [&] {
        return read_text(server.data_dir() + "/candidate-b.log").find("leading b") !=
               std::string::npos;
      },
      5s));

  // A clean stop releases the lease at once.
  b->kill(SIGTERM);
  EXPECT_TRUE(eventually([&] { return holder(client).empty(); }, 5s));
}
