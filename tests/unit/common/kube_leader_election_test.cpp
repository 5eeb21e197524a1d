// Leader election state machine against the in-memory API double on a manual clock:
// acquire, renew, expiry judged by local observation, transitions, renew deadline, release.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <future>
#include <regex>

#include "ferrum/kube/leader_election.hpp"
#include "ferrum/kube/time.hpp"
#include "kube_fake_api.hpp"

using namespace ferrum;
using namespace ferrum::kube;
using kubetest::FakeApi;
using namespace std::chrono_literals;

namespace {

log::Logger quiet() { return log::discard("le"); }

LeaderElectionSettings settings(const std::string& id) {
  LeaderElectionSettings s;
  s.lease_namespace = "kube-system";
  s.lease_name = "ferrum-reconciler";
  s.identity = id;
  s.jitter_factor = 0;  // deterministic rounds on the manual clock
  return s;
}

Json lease_spec(FakeApi& api) {
  auto l = api.get(resources::leases(), "kube-system", "ferrum-reconciler");
  return l ? (*l)["spec"] : Json();
}

struct Events {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> log;
  void push(std::string s) {
    std::lock_guard l(mu);
    log.push_back(std::move(s));
    cv.notify_all();
  }
  void wait_for(const std::string& s) {
    std::unique_lock l(mu);
    cv.wait(l, [&] { return std::find(log.begin(), log.end(), s) != log.end(); });
  }
};

LeaderCallbacks callbacks(Events& ev, const std::string& id) {
  return {[&ev, id](std::stop_token st) {
            ev.push(id + " started");
            std::mutex m;
            std::condition_variable_any cv;
            std::unique_lock l(m);
            cv.wait(l, st, [] { return false; });  // work until leadership ends
            ev.push(id + " work stopped");
          },
          [&ev, id] { ev.push(id + " stopped"); },
          [&ev, id](const std::string& who) { ev.push(id + " sees " + who); }};
}

}  // namespace

TEST(LeaderElectionTime, MicroTimeFormat) {
  Clock::WallTime t = Clock::WallTime(std::chrono::seconds(1893456000)) + 123456us;
  EXPECT_EQ(format_micro_time(t), "2030-01-01T00:00:00.123456Z");
  EXPECT_EQ(format_time(t), "2030-01-01T00:00:00Z");
  EXPECT_EQ(parse_time("2030-01-01T00:00:00.123456Z"), t);
  EXPECT_EQ(parse_time("2030-01-01T00:00:00Z"), Clock::WallTime(std::chrono::seconds(1893456000)));
  EXPECT_FALSE(parse_time("2030-01-01 00:00:00Z"));
  EXPECT_FALSE(parse_time("2030-01-01T00:00:00+01:00"));
}

TEST(LeaderElection, SettingsAreValidated) {
  EXPECT_FALSE(validate(settings("a")));
  auto s = settings("a");
  s.renew_deadline = 20s;
  EXPECT_NE(validate(s)->find("lease duration must be greater than renew deadline"),
            std::string::npos);
  s = settings("a");
  s.jitter_factor = 1.2;
  s.retry_period = 9s;
  EXPECT_NE(validate(s)->find("retry period"), std::string::npos);
  s = settings("");
  EXPECT_NE(validate(s)->find("identity"), std::string::npos);
}

TEST(LeaderElection, FirstCandidateCreatesTheLease) {
  FakeApi api;
  ManualClock clock;
  LeaderElector a(settings("a"), api, clock, quiet(), {});
  EXPECT_TRUE(a.try_acquire_or_renew());
  Json spec = lease_spec(api);
  EXPECT_EQ(spec["holderIdentity"], "a");
  EXPECT_EQ(spec["leaseDurationSeconds"], 15);
  EXPECT_EQ(spec["leaseTransitions"], 0);
  EXPECT_EQ(spec["acquireTime"], "2030-01-01T00:00:00.000000Z");
  std::regex micro(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  EXPECT_TRUE(std::regex_match(spec["renewTime"].get<std::string>(), micro));
  EXPECT_EQ(a.observed_leader(), "a");

  clock.advance(2s);
  EXPECT_TRUE(a.try_acquire_or_renew());  // renew: only renewTime moves
  Json renewed = lease_spec(api);
  EXPECT_EQ(renewed["renewTime"], "2030-01-01T00:00:02.000000Z");
  EXPECT_EQ(renewed["acquireTime"], spec["acquireTime"]);
  EXPECT_EQ(renewed["leaseTransitions"], 0);
}

TEST(LeaderElection, OtherHolderExpiresOnlyAfterLeaseDurationOfLocalObservation) {
  FakeApi api;
  ManualClock clock;
  // Held by "x" with a renewTime far in the past by our wall clock: irrelevant, only the time
  // since we first saw this record counts.
  api.put_direct(resources::leases(),
                 {{"metadata", {{"name", "ferrum-reconciler"}, {"namespace", "kube-system"}}},
                  {"spec",
                   {{"holderIdentity", "x"},
                    {"leaseDurationSeconds", 15},
                    {"renewTime", "2001-01-01T00:00:00.000000Z"},
                    {"leaseTransitions", 4}}}});
  LeaderElector b(settings("b"), api, clock, quiet(), {});
  EXPECT_FALSE(b.try_acquire_or_renew());
  EXPECT_EQ(b.observed_leader(), "x");
  clock.advance(14s);
  EXPECT_FALSE(b.try_acquire_or_renew());
  clock.advance(1s);
  EXPECT_TRUE(b.try_acquire_or_renew());
  Json spec = lease_spec(api);
  EXPECT_EQ(spec["holderIdentity"], "b");
  EXPECT_EQ(spec["leaseTransitions"], 5);
  EXPECT_EQ(spec["acquireTime"], "2030-01-01T00:00:15.000000Z");
}

TEST(LeaderElection, RenewalByTheHolderResetsTheExpiry) {
  FakeApi api;
  ManualClock clock;
  LeaderElector a(settings("a"), api, clock, quiet(), {});
  LeaderElector b(settings("b"), api, clock, quiet(), {});
  ASSERT_TRUE(a.try_acquire_or_renew());
  for (int i = 0; i < 20; ++i) {  // 40s of a renewing every 2s: b never gets it
    EXPECT_FALSE(b.try_acquire_or_renew()) << i;
    clock.advance(2s);
    ASSERT_TRUE(a.try_acquire_or_renew());
  }
}

TEST(LeaderElection, ConcurrentCandidatesNeverBothWinARound) {
  FakeApi api;
  ManualClock clock;
  LeaderElector a(settings("a"), api, clock, quiet(), {});
  LeaderElector b(settings("b"), api, clock, quiet(), {});
  for (int round = 0; round < 50; ++round) {
    auto fa = std::async(std::launch::async, [&] { return a.try_acquire_or_renew(); });
    auto fb = std::async(std::launch::async, [&] { return b.try_acquire_or_renew(); });
    bool ra = fa.get(), rb = fb.get();
    EXPECT_FALSE(ra && rb) << round;
    clock.advance(2s);
  }
}

TEST(LeaderElection, RunLeadsRenewsAndReleasesOnStop) {
  FakeApi api;
  ManualClock clock;
  Events ev;
  auto s = settings("a");
  s.release_on_cancel = true;
  LeaderElector a(s, api, clock, quiet(), callbacks(ev, "a"));
  std::stop_source stop;
  auto fut = std::async(std::launch::async, [&] { a.run(stop.get_token()); });
  ev.wait_for("a started");
  EXPECT_TRUE(a.is_leader());
  clock.wait_for_sleepers(1);
  clock.advance(2s);
  clock.wait_for_sleepers(1);
  EXPECT_EQ(lease_spec(api)["renewTime"], "2030-01-01T00:00:02.000000Z");
  stop.request_stop();
  fut.get();
  EXPECT_FALSE(a.is_leader());
  ev.wait_for("a work stopped");
  ev.wait_for("a stopped");
  EXPECT_EQ(lease_spec(api)["holderIdentity"], "");
  // Released: another candidate takes it at once, without waiting 15s.
  LeaderElector b(settings("b"), api, clock, quiet(), {});
  EXPECT_TRUE(b.try_acquire_or_renew());
}

TEST(LeaderElection, LeaderThatCannotRenewStepsDownAfterRenewDeadline) {
  FakeApi api;
  ManualClock clock;
  Events ev;
  LeaderElector a(settings("a"), api, clock, quiet(), callbacks(ev, "a"));
  std::atomic<bool> returned{false};
  auto fut = std::async(std::launch::async, [&] {
    a.run({});
    returned = true;
  });
  ev.wait_for("a started");
  for (int i = 0; i < 5; ++i) api.fail_next("get", Error{0, "TransportError", "partition"});
  // Renew attempts at 2,4,6,8s fail but are inside the 10s deadline.
  for (int i = 0; i < 4; ++i) {
    clock.wait_for_sleepers(1);
    clock.advance(2s);
  }
  clock.wait_for_sleepers(1);
  EXPECT_TRUE(a.is_leader());
  EXPECT_FALSE(returned);
  clock.advance(2s);  // 10s without a renewal
  fut.get();
  EXPECT_FALSE(a.is_leader());
  ev.wait_for("a work stopped");
  ev.wait_for("a stopped");
  EXPECT_EQ(lease_spec(api)["holderIdentity"], "a");  // not released: it could not talk to the API
}

TEST(LeaderElection, LeaderWhoseLeaseWasTakenStepsDown) {
  FakeApi api;
  ManualClock clock;
  Events ev;
  LeaderElector a(settings("a"), api, clock, quiet(), callbacks(ev, "a"));
  auto fut = std::async(std::launch::async, [&] { a.run({}); });
  ev.wait_for("a started");
  // Another holder (a split brain, or an operator) overwrites the lease.
  Json lease = *api.get(resources::leases(), "kube-system", "ferrum-reconciler");
  lease["spec"]["holderIdentity"] = "intruder";
  api.put_direct(resources::leases(), lease);
  for (int i = 0; i < 5; ++i) {
    clock.wait_for_sleepers(1);
    clock.advance(2s);
  }
  fut.get();
  ev.wait_for("a sees intruder");
  ev.wait_for("a stopped");
  EXPECT_FALSE(a.is_leader());
}

TEST(LeaderElection, StandbyTakesOverWhenTheLeaderDisappears) {
  FakeApi api;
  ManualClock clock;
  Events ev;
  LeaderElector a(settings("a"), api, clock, quiet(), {});
  ASSERT_TRUE(a.try_acquire_or_renew());  // "a" leads, then dies (never renews again)
  LeaderElector b(settings("b"), api, clock, quiet(), callbacks(ev, "b"));
  std::stop_source stop;
  auto fut = std::async(std::launch::async, [&] { b.run(stop.get_token()); });
  int rounds = 0;
  while (!b.is_leader()) {
    clock.wait_for_sleepers(1);
    if (b.is_leader()) break;
    clock.advance(2s);
    ++rounds;
    ASSERT_LE(rounds, 9);
  }
  ev.wait_for("b started");
  EXPECT_GE(rounds, 7);  // not before 15s of observing an unchanged lease
  EXPECT_EQ(lease_spec(api)["holderIdentity"], "b");
  EXPECT_EQ(lease_spec(api)["leaseTransitions"], 1);
  stop.request_stop();
  fut.get();
}
