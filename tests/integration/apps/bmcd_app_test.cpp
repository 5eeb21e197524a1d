// BmcdApp in process against ferrum-apiserver: starts on port 0, is ready, answers a Power
// call through the API server (a Server that does not exist is NOT_FOUND), stops; a taken
// --listen port fails the start naming the flag and undoes the admin server.
#include "bmcd_app.hpp"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "app_harness.hpp"
#include "power.grpc.pb.h"

namespace {

ferrum::bmcd::Settings settings(const std::string& listen) {
  ferrum::bmcd::Settings s;
  ferrum::flags::FlagSet f("ferrum-bmcd", "test");
  ferrum::bmcd::add_flags(f, s);
  s.listen = listen;
  return s;
}

TEST(BmcdApp, StartsOnPortZeroAnswersACallAndStops) {
  auto s = settings("127.0.0.1:0");
  apptest::AppHarness h;
  auto& app =
      h.emplace<ferrum::bmcd::BmcdApp>(s, h.client(), ferrum::real_clock(), h.runtime(), "test");
  ASSERT_EQ(h.start(), "");
  ASSERT_GT(app.port(), 0);
  EXPECT_EQ(h.wait_ready().first, 200);

  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(app.port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = ferrum::power::v1::Power::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ferrum::power::v1::PowerStateRequest req;
  req.set_server_name("no-such-server");
  ferrum::power::v1::PowerStateResponse resp;
  auto status = stub->PowerState(&ctx, req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();

  h.stop();
  EXPECT_TRUE(apptest::port_free(static_cast<std::uint16_t>(app.port())));
}

TEST(BmcdApp, ATakenListenPortFailsTheStartAndUndoesTheAdminServer) {
  apptest::TakenPort taken;
  auto s = settings("127.0.0.1:" + std::to_string(taken.port()));
  apptest::AppHarness h;
  h.emplace<ferrum::bmcd::BmcdApp>(s, h.client(), ferrum::real_clock(), h.runtime(), "test");
  h.expect_failed_start_undone("--listen");
}

}  // namespace
