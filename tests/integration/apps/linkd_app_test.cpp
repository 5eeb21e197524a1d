// LinkdApp in process, in a network namespace of its own (root, wireguard-go and /dev/net/tun;
// skipped otherwise), against a ferrum-apiserver in the same namespace: starts on port 0 with
// a userspace WireGuard interface, is ready, stops and removes the interface; a taken
// --api-listen port fails the start naming the flag, and the parts started before it are
// undone: the interface is gone, the informers stopped, the admin port closed.
#include "linkd_app.hpp"

#include <gtest/gtest.h>
#include <net/if.h>
#include <sched.h>

#include <cstdlib>

#include "app_harness.hpp"

namespace {

bool can_run() {
  return ::geteuid() == 0 && ::access("/dev/net/tun", R_OK | W_OK) == 0 &&
         std::system("command -v wireguard-go >/dev/null 2>&1") == 0;
}

// Every test process moves into a fresh network namespace before any thread starts, so the
// interface, the tunnel address and the apiserver's loopback are this test's alone.
bool in_own_namespace = [] {
  if (!can_run()) return false;
  if (::unshare(CLONE_NEWNET) != 0) return false;
  return std::system("ip link set lo up") == 0;
}();

std::string interface_name() { return "fla" + std::to_string(::getpid() % 100000); }

ferrum::linkd::Settings settings(const std::string& api_listen) {
  ferrum::linkd::Settings s;
  ferrum::flags::FlagSet f("ferrum-linkd", "test");
  ferrum::linkd::add_flags(f, s);
  s.wireguard_backend = "userspace";
  s.interface_name = interface_name();
  s.wireguard_endpoint = "127.0.0.1";
  s.wireguard_port = 51899;
  s.api_listen = api_listen;
  s.log_listen_port = 0;
  s.event_listen_port = 0;
  return s;
}

void ensure_namespace(apptest::AppHarness& h) {
  // AlreadyExists (the other test made it) is fine.
  (void)h.client().create(
      ferrum::kube::resources::namespaces(),
      ferrum::kube::Json{
          {"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "ferrum-system"}}}});
}

TEST(LinkdApp, StartsOnPortZeroIsReadyAndStopsRemovingItsInterface) {
  if (!in_own_namespace) GTEST_SKIP() << "needs root, wireguard-go and /dev/net/tun";
  auto s = settings("127.0.0.1:0");
  apptest::AppHarness h;
  ensure_namespace(h);
  auto& app = h.emplace<ferrum::linkd::LinkdApp>(s, h.client(), ferrum::real_clock(), h.runtime());
  ASSERT_EQ(h.start(), "");
  EXPECT_GT(app.api_port(), 0);
  EXPECT_GT(app.log_port(), 0);
  EXPECT_NE(::if_nametoindex(s.interface_name.c_str()), 0u);
  auto ready = h.wait_ready();
  EXPECT_EQ(ready.first, 200) << ready.second;
  h.stop();
  EXPECT_EQ(::if_nametoindex(s.interface_name.c_str()), 0u);
  EXPECT_TRUE(apptest::port_free(static_cast<std::uint16_t>(app.api_port())));
}

TEST(LinkdApp, ATakenApiPortUndoesTheInterfaceAndEverythingStartedBeforeIt) {
  if (!in_own_namespace) GTEST_SKIP() << "needs root, wireguard-go and /dev/net/tun";
  apptest::TakenPort taken;
  auto s = settings("127.0.0.1:" + std::to_string(taken.port()));
  apptest::AppHarness h;
  ensure_namespace(h);
  h.emplace<ferrum::linkd::LinkdApp>(s, h.client(), ferrum::real_clock(), h.runtime());
  h.expect_failed_start_undone("--api-listen");
  EXPECT_EQ(::if_nametoindex(s.interface_name.c_str()), 0u);
}

}  // namespace
