// RegistryApp in process against ferrum-apiserver: starts on port 0, is ready, creates a
// Server for an agent's CreateServer call, stops; a taken --listen port fails the start
// naming the flag and undoes the admin server.
#include "registry_app.hpp"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "agent.grpc.pb.h"
#include "app_harness.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"

namespace {

ferrum::registry::Settings settings(const std::string& listen) {
  ferrum::registry::Settings s;
  ferrum::flags::FlagSet f("ferrum-registry", "test");
  ferrum::registry::add_flags(f, s);
  s.listen = listen;
  return s;
}

TEST(RegistryApp, StartsOnPortZeroCreatesAServerAndStops) {
  auto s = settings("127.0.0.1:0");
  apptest::AppHarness h;
  auto& app = h.emplace<ferrum::registry::RegistryApp>(s, h.client(), ferrum::real_clock(),
                                                       h.runtime(), "test");
  ASSERT_EQ(h.start(), "");
  ASSERT_GT(app.port(), 0);
  EXPECT_EQ(h.wait_ready().first, 200);

  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(app.port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = api::Agent::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  api::CreateServerRequest req;
  const std::string uuid = "4c4c4544-0000-1000-8000-00000000a991";
  req.mutable_hardware()->mutable_system()->set_uuid(uuid);
  req.set_hostname("app-test");
  api::CreateServerResponse resp;
  auto status = stub->CreateServer(&ctx, req, &resp);
  EXPECT_TRUE(status.ok()) << status.error_message();
  auto server = h.client().get(ferrum::kube::resource_of(ferrum::model::kServer), "", uuid);
  EXPECT_TRUE(server.has_value());

  h.stop();
  EXPECT_TRUE(apptest::port_free(static_cast<std::uint16_t>(app.port())));
}

TEST(RegistryApp, ATakenListenPortFailsTheStartAndUndoesTheAdminServer) {
  apptest::TakenPort taken;
  auto s = settings("127.0.0.1:" + std::to_string(taken.port()));
  apptest::AppHarness h;
  h.emplace<ferrum::registry::RegistryApp>(s, h.client(), ferrum::real_clock(), h.runtime(),
                                           "test");
  h.expect_failed_start_undone("--listen");
}

}  // namespace
