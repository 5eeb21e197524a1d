// IpxeHttpApp in process against ferrum-apiserver: starts on port 0, is ready once its
// caches synced, serves /boot.ipxe, stops; a taken --listen port (the last part) fails the
// start naming the flag and stops the informers, controller and admin server started before.
#include "ipxe_http_app.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "app_harness.hpp"

namespace {

struct Dirs {
  std::string root = kubeit::temp_dir("ipxe-app");
  ~Dirs() { std::filesystem::remove_all(root); }
};

ferrum::ipxe::Settings settings(const Dirs& d, const std::string& listen) {
  ferrum::ipxe::Settings s;
  ferrum::flags::FlagSet f("ferrum-ipxe-http", "test");
  ferrum::ipxe::add_flags(f, s);
  s.listen = listen;
  s.api_endpoint = "127.0.0.1";
  s.tftp_root = d.root;
  s.asset_dir = d.root + "/assets";
  s.agent_dir = d.root + "/agent";
  s.link_server_address = "fd00::1";  // no installation Secret informer
  s.lease_namespace = "default";
  std::filesystem::create_directories(s.asset_dir);
  std::filesystem::create_directories(s.agent_dir);
  return s;
}

TEST(IpxeHttpApp, StartsOnPortZeroIsReadyServesTheBootScriptAndStops) {
  Dirs d;
  apptest::AppHarness h;
  auto& app = h.emplace<ferrum::ipxe::IpxeHttpApp>(settings(d, "127.0.0.1:0"), h.client(),
                                                   ferrum::real_clock(), h.runtime());
  ASSERT_EQ(h.start(), "");
  ASSERT_GT(app.port(), 0);
  auto ready = h.wait_ready();
  EXPECT_EQ(ready.first, 200) << ready.second;
  EXPECT_TRUE(app.synced());
  auto script = apptest::AppHarness::get(app.port(), "/boot.ipxe");
  EXPECT_EQ(script.first, 200);
  EXPECT_EQ(script.second.rfind("#!ipxe", 0), 0u) << script.second;
  h.stop();
  EXPECT_EQ(apptest::AppHarness::get(app.port(), "/boot.ipxe").first, 0);
}

TEST(IpxeHttpApp, ATakenListenPortUndoesThePartsStartedBeforeIt) {
  Dirs d;
  apptest::TakenPort taken;
  apptest::AppHarness h;
  h.emplace<ferrum::ipxe::IpxeHttpApp>(settings(d, "127.0.0.1:" + std::to_string(taken.port())),
                                       h.client(), ferrum::real_clock(), h.runtime());
  // Everything before the HTTP part (admin, informers, controller, lease, agents) is stopped:
  // the threads were joined (start() returned) and the admin port is closed.
  h.expect_failed_start_undone("--listen");
}

}  // namespace
