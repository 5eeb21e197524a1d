// TftpdApp in process: starts on port 0 and is ready; a failed start (--root missing) undoes
// the admin server started before it.
#include "tftpd_app.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "app_harness.hpp"

namespace {

ferrum::tftp::Settings settings(const std::string& root) {
  ferrum::tftp::Settings s;
  ferrum::flags::FlagSet f("ferrum-tftpd", "test");
  ferrum::tftp::add_flags(f, s);  // the flag table's defaults
  s.root = root;
  s.listen = {"127.0.0.1:0"};
  return s;
}

TEST(TftpdApp, StartsOnPortZeroIsReadyAndStops) {
  auto root = kubeit::temp_dir("tftpd-app");
  auto s = settings(root);
  apptest::AppHarness h;
  auto& app = h.emplace<ferrum::tftp::TftpdApp>(s, h.runtime());
  ASSERT_EQ(h.start(), "");
  ASSERT_EQ(app.addresses().size(), 1u);
  EXPECT_NE(app.addresses()[0], "127.0.0.1:0");
  EXPECT_EQ(h.wait_ready().first, 200);
  auto admin = h.admin_port();
  h.stop();
  EXPECT_FALSE(app.server().serving());
  EXPECT_TRUE(apptest::port_free(admin));
  std::filesystem::remove_all(root);
}

TEST(TftpdApp, AFailedStartStopsTheAdminServerStartedBeforeIt) {
  auto s = settings("/nonexistent/tftp-root");
  apptest::AppHarness h;
  h.emplace<ferrum::tftp::TftpdApp>(s, h.runtime());
  auto err = h.start();
  EXPECT_NE(err.find("--root"), std::string::npos) << err;
  EXPECT_TRUE(h.parts().started().empty());
  // The admin server had bound its port; the undo closed it.
  ASSERT_NE(h.admin_port(), 0);
  EXPECT_TRUE(apptest::port_free(h.admin_port()));
  EXPECT_EQ(apptest::AppHarness::get(h.admin_port(), "/healthz").first, 0);
}

}  // namespace
