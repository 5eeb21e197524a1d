#include "boot_decision.hpp"

#include <gtest/gtest.h>

#include <set>

#include "ferrum/model/secret.hpp"
#include "ferrum/model/server.hpp"
#include "ferrum/model/server_binding.hpp"
#include "ferrum/model/server_class.hpp"
#include "ipxe_script.hpp"

// The table below names only the fields a case sets (designated initializers); the rest keep
// their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace ferrum::ipxe {
namespace {

constexpr const char* kUuid = "4c4c4544-0042-3410-8052-b2c04f384d32";

// Readiness as data: which environments / agent arches this replica has verified.
class ReadySet final : public AssetReadiness {
 public:
  std::set<std::string> envs{"default", "server-env", "class-env"};
  std::set<std::string> arches{"amd64", "arm64"};
  std::string environment_unready(const nlohmann::json& env) const override {
    return envs.count(env["metadata"]["name"].get<std::string>()) ? ""
                                                                  : "kernel not downloaded yet";
  }
  std::string agent_unready(const std::string& arch) const override {
    return arches.count(arch) ? "" : "no vmlinuz for " + arch;
  }
  // decide() itself caches nothing; a test that edits the sets bumps this all the same.
  std::uint64_t changes = 0;
  std::uint64_t generation() const override { return changes; }
};

struct World {
  kube::ObjectStore servers, bindings, classes, environments;
  ReadySet ready;
  DecisionSettings settings;
  World() {
    settings.registry_endpoint = "10.0.0.1:50100";
    settings.metadata_endpoint = "10.0.0.1:9091";
    settings.link_api_endpoint = "10.0.0.1:50110";
    settings.link_server_address = "fd00::1";
    for (const char* name : {"default", "server-env", "class-env", "unready-env"}) {
      auto e = model::Environment::make(name);
      e.set_kernel({"http://x/" + std::string(name) + "/vmlinuz", "", {"console=ttyS0"}});
      e.set_initrd({"http://x/" + std::string(name) + "/initrd", ""});
      put(environments, e.raw());
    }
  }
  static void put(kube::ObjectStore& s, const nlohmann::json& j) {
    s.upsert(kube::object_key(j), std::make_shared<const nlohmann::json>(j));
  }
  BootDecision decide(const std::string& query = std::string("uuid=") + kUuid +
                                                 "&mac=52-54-00-12-34-56") {
    auto q = parse_boot_query(query);
    EXPECT_TRUE(q.has_value());
    return ipxe::decide(*q, {servers, bindings, classes, environments}, ready, settings);
  }
};

// Builders for the table below.
struct ServerSpec {
  bool exists = true;
  bool bound = true;
  bool pxe_booted = false;
  bool pxe_boot_always = false;
  std::string server_method;  // spec.bootFromDiskMethod
  std::string server_env;     // spec.environmentRef.name
  std::string class_name;     // binding's serverClassRef
  bool class_exists = true;
  std::string class_method;
  std::string class_env;
};

void build(World& w, const ServerSpec& s) {
  if (!s.exists) return;
  auto server = model::Server::make(kUuid);
  server.set_accepted(true);
  if (s.pxe_booted) {
    server.set_condition({"PXEBooted", "True", "", "", "", {}}, model::Timestamp{});
  }
  server.set_pxe_boot_always(s.pxe_boot_always);
  if (!s.server_method.empty()) server.set_boot_from_disk_method(s.server_method);
  if (!s.server_env.empty())
    server.set_environment_ref({"Environment", "", s.server_env, "", "", "", ""});
  World::put(w.servers, server.raw());
  if (!s.bound) return;
  auto binding = model::ServerBinding::make(kUuid);
  binding.set_metal_machine_ref({"MetalMachine", "default", "m1", "", "", "", ""});
  if (!s.class_name.empty()) {
    binding.set_server_class_ref({"ServerClass", "", s.class_name, "", "", "", ""});
    if (s.class_exists) {
      auto sc = model::ServerClass::make(s.class_name);
      if (!s.class_method.empty()) sc.set_boot_from_disk_method(s.class_method);
      if (!s.class_env.empty())
        sc.set_environment_ref({"Environment", "", s.class_env, "", "", "", ""});
      World::put(w.classes, sc.raw());
    }
  }
  World::put(w.bindings, binding.raw());
}

TEST(BootDecision, EveryBranchOfDesign42) {
  struct Case {
    const char* name;
    ServerSpec spec;
    Outcome outcome;
    int status;
    std::string environment;
    std::string body_contains;
  } cases[] = {
      {"no server",
       {.exists = false},
       Outcome::kAgent,
       200,
       "agent-amd64",
       "kernel /env/agent-amd64/vmlinuz"},
      {"no binding",
       {.bound = false},
       Outcome::kAgent,
       200,
       "agent-amd64",
       "ferrum.endpoint=10.0.0.1:50100"},
      {"no binding even when pxebooted",
       {.bound = false, .pxe_booted = true},
       Outcome::kAgent,
       200,
       "agent-amd64",
       "initrd /env/agent-amd64/initramfs.xz"},
      {"pxebooted, default method", {.pxe_booted = true}, Outcome::kDisk, 200, "", "\nexit\n"},
      {"pxebooted, server says sanboot",
       {.pxe_booted = true, .server_method = "ipxe-sanboot"},
       Outcome::kDisk,
       200,
       "",
       "sanboot --no-describe --drive 0x80"},
      {"pxebooted, server says 404",
       {.pxe_booted = true, .server_method = "http-404"},
       Outcome::kDisk,
       404,
       "",
       "boot from disk"},
      {"pxebooted, class says 404",
       {.pxe_booted = true, .class_name = "c1", .class_method = "http-404"},
       Outcome::kDisk,
       404,
       "",
       ""},
      // ServerClass CRDs take any string, as Sidero's; Sidero's iPXE server boots an unknown
      // method like ipxe-exit (app/sidero-controller-manager/internal/ipxe/ipxe_server.go).
      {"pxebooted, class says an unknown method",
       {.pxe_booted = true, .class_name = "c1", .class_method = "chainload-something"},
       Outcome::kDisk,
       200,
       "",
       "\nexit\n"},
      {"pxebooted, server method beats class",
       {.pxe_booted = true,
        .server_method = "ipxe-exit",
        .class_name = "c1",
        .class_method = "http-404"},
       Outcome::kDisk,
       200,
       "",
       "\nexit\n"},
      {"pxebooted, class missing falls to flag",
       {.pxe_booted = true, .class_name = "gone", .class_exists = false},
       Outcome::kDisk,
       200,
       "",
       "exit"},
      {"pxebooted but pxeBootAlways",
       {.pxe_booted = true, .pxe_boot_always = true},
       Outcome::kEnvironment,
       200,
       "default",
       "kernel /env/default/vmlinuz"},
      {"server environmentRef",
       {.server_env = "server-env", .class_name = "c1", .class_env = "class-env"},
       Outcome::kEnvironment,
       200,
       "server-env",
       "/env/server-env/initramfs.xz"},
      {"class environmentRef",
       {.class_name = "c1", .class_env = "class-env"},
       Outcome::kEnvironment,
       200,
       "class-env",
       "/env/class-env/vmlinuz"},
      {"class without environmentRef",
       {.class_name = "c1"},
       Outcome::kEnvironment,
       200,
       "default",
       "/env/default/vmlinuz"},
      {"class missing",
       {.class_name = "gone", .class_exists = false},
       Outcome::kEnvironment,
       200,
       "default",
       "/env/default/"},
      {"default",
       {},
       Outcome::kEnvironment,
       200,
       "default",
       "talos.config=http://10.0.0.1:9091/configdata?uuid="},
      {"environment missing",
       {.server_env = "nope"},
       Outcome::kNotFound,
       404,
       "nope",
       "environment \"nope\" not found"},
      {"environment not ready",
       {.server_env = "unready-env"},
       Outcome::kNotReady,
       412,
       "unready-env",
       "not ready: kernel not downloaded yet"},
  };
  for (const auto& c : cases) {
    World w;
    build(w, c.spec);
    auto d = w.decide();
    EXPECT_EQ(d.outcome, c.outcome) << c.name << ": " << d.reason;
    EXPECT_EQ(d.http_status, c.status) << c.name;
    EXPECT_EQ(d.environment, c.environment) << c.name;
    EXPECT_NE(d.body.find(c.body_contains), std::string::npos) << c.name << ":\n" << d.body;
    EXPECT_FALSE(d.reason.empty()) << c.name;
  }
}

TEST(BootDecision, FlagMethodUsedWhenNothingElseSaysSo) {
  for (std::string method : {"ipxe-exit", "http-404", "ipxe-sanboot"}) {
    World w;
    w.settings.default_boot_from_disk_method = method;
    build(w, {.pxe_booted = true, .class_name = "c1"});
    auto d = w.decide();
    EXPECT_EQ(d.outcome, Outcome::kDisk);
    EXPECT_EQ(d.http_status, method == "http-404" ? 404 : 200) << method;
    EXPECT_NE(d.reason.find(method + " from --boot-from-disk-method"), std::string::npos)
        << d.reason;
  }
}

TEST(BootDecision, DefaultEnvironmentMissingIs404) {
  World w;
  w.environments.erase("default");
  build(w, {});
  auto d = w.decide();
  EXPECT_EQ(d.outcome, Outcome::kNotFound);
  EXPECT_EQ(d.environment, "default");
}

TEST(BootDecision, AgentNotReadyIs412AndArchPicksTheAgent) {
  World w;
  w.ready.arches = {"amd64"};
  ++w.ready.changes;
  auto arm = w.decide("uuid=&arch=arm64");
  EXPECT_EQ(arm.outcome, Outcome::kNotReady);
  EXPECT_EQ(arm.http_status, 412);
  EXPECT_EQ(arm.environment, "agent-arm64");
  auto x86 = w.decide("arch=i386");
  EXPECT_EQ(x86.outcome, Outcome::kAgent);
  EXPECT_EQ(x86.environment, "agent-amd64");
  EXPECT_EQ(x86.reason, "request has no uuid");
  // No mac in the query: no ferrum.mac arg.
  EXPECT_EQ(x86.body.find("ferrum.mac="), std::string::npos);
}

TEST(BootDecision, AgentArgsCarryMacEndpointAndExtraArgsReplaceByKey) {
  World w;
  w.settings.extra_agent_args = {"console=ttyS1,115200", "ferrum.debug=1"};
  auto d = w.decide();
  EXPECT_EQ(d.outcome, Outcome::kAgent);
  EXPECT_NE(d.body.find(" console=ttyS1,115200 initrd=initramfs.xz "), std::string::npos) << d.body;
  EXPECT_EQ(d.body.find("console=tty0"), std::string::npos) << d.body;
  EXPECT_NE(d.body.find("ferrum.mac=52:54:00:12:34:56"), std::string::npos);
  EXPECT_NE(d.body.find("ferrum.debug=1"), std::string::npos);
}

TEST(BootDecision, TargetArgsAreAddedOnlyWhenNotSet) {
  World w;
  auto e = model::Environment::make("server-env");
  e.set_kernel({"http://x/k", "", {"talos.config=http://elsewhere/cfg", "siderolink.api=mine:1"}});
  e.set_initrd({"http://x/i", ""});
  World::put(w.environments, e.raw());
  build(w, {.server_env = "server-env"});
  auto d = w.decide();
  ASSERT_EQ(d.outcome, Outcome::kEnvironment) << d.body;
  EXPECT_NE(d.body.find("talos.config=http://elsewhere/cfg"), std::string::npos);
  EXPECT_EQ(d.body.find("talos.config=http://10.0.0.1"), std::string::npos);
  EXPECT_EQ(d.body.find("siderolink.api=10.0.0.1"), std::string::npos);
  EXPECT_NE(d.body.find("talos.logging.kernel=tcp://[fd00::1]:4001"), std::string::npos);
  EXPECT_NE(d.body.find("talos.events.sink=[fd00::1]:4002"), std::string::npos);
}

// DESIGN.md 1 step 7: talos.logging.kernel and talos.events.sink always on a target's command
// line, the address derived from ferrum-linkd's installation Secret as ferrum-metadata derives
// it; --link-server-address overrides.
TEST(BootDecision, LinkArgsFollowTheInstallationSecret) {
  World w;
  w.settings.link_server_address.clear();
  kube::ObjectStore secrets;
  siderolink::InstallationAddress addr(&secrets, {"ferrum-system", "siderolink"});
  build(w, {});
  auto decide = [&] {
    auto q = parse_boot_query(std::string("uuid=") + kUuid);
    BootCaches caches{w.servers, w.bindings, w.classes, w.environments};
    caches.link_secrets = &secrets;
    caches.link_address = &addr;
    return ipxe::decide(*q, caches, w.ready, w.settings);
  };
  auto without = decide();
  ASSERT_EQ(without.outcome, Outcome::kEnvironment) << without.body;
  EXPECT_EQ(without.body.find("talos.logging.kernel="), std::string::npos);
  EXPECT_NE(without.reason.find("no SideroLink installation Secret"), std::string::npos);

  auto s = model::Secret::make("ferrum-system", "siderolink");
  s.set_value(siderolink::kInstallationIdKey, "abc");
  s.raw()["metadata"]["resourceVersion"] = "3";
  secrets.upsert("ferrum-system/siderolink", std::make_shared<const nlohmann::json>(s.raw()));
  auto with = decide();
  EXPECT_NE(with.body.find(" talos.logging.kernel=tcp://[fd03:61a3:9617:7a03::1]:4001"),
            std::string::npos)
      << with.body;
  EXPECT_NE(with.body.find(" talos.events.sink=[fd03:61a3:9617:7a03::1]:4002"), std::string::npos)
      << with.body;

  w.settings.link_server_address = "fd00::77";
  auto overridden = decide();
  EXPECT_NE(overridden.body.find("talos.events.sink=[fd00::77]:4002"), std::string::npos);
  EXPECT_EQ(overridden.body.find("fd03:61a3"), std::string::npos);
}

TEST(BootDecision, ComposedTargetArgsTable) {
  DecisionSettings st;
  st.metadata_endpoint = "10.0.0.1:9091";
  st.link_api_endpoint = "10.0.0.1:50110";
  st.sidero_api_host = "10.0.0.1";
  st.sidero_api_port = 8081;
  struct Case {
    std::vector<std::string> env_args;
    std::string link;
    std::vector<std::string> want;
    std::size_t rewrites;
  };
  const Case cases[] = {
      {{"console=ttyS0"},
       "fd00::1",
       {"console=ttyS0",
        "talos.config=http://10.0.0.1:9091/configdata?uuid=", "siderolink.api=10.0.0.1:50110",
        "talos.logging.kernel=tcp://[fd00::1]:4001", "talos.events.sink=[fd00::1]:4002"},
       0},
      {{},
       "",
       {"talos.config=http://10.0.0.1:9091/configdata?uuid=", "siderolink.api=10.0.0.1:50110"},
       0},
      // A Sidero-docs Environment: talos.config at the combined port stays (ipxe-http redirects
      // /configdata), siderolink.api there is rewritten in place.
      {{"talos.config=http://10.0.0.1:8081/configdata?uuid=", "siderolink.api=10.0.0.1:8081"},
       "fd00::1",
       {"talos.config=http://10.0.0.1:8081/configdata?uuid=", "siderolink.api=10.0.0.1:50110",
        "talos.logging.kernel=tcp://[fd00::1]:4001", "talos.events.sink=[fd00::1]:4002"},
       1},
      // The Environment's own sinks are kept.
      {{"talos.logging.kernel=tcp://[fd00::5]:4001", "talos.events.sink=[fd00::5]:4002",
        "siderolink.api=grpc://link.example:50110?jointoken=t"},
       "fd00::1",
       {"talos.logging.kernel=tcp://[fd00::5]:4001", "talos.events.sink=[fd00::5]:4002",
        "siderolink.api=grpc://link.example:50110?jointoken=t",
        "talos.config=http://10.0.0.1:9091/configdata?uuid="},
       0},
  };
  for (const auto& c : cases) {
    auto e = model::Environment::make("e");
    e.set_kernel({"http://x/k", "", c.env_args});
    auto got = compose_target_args(e.raw(), st, c.link);
    EXPECT_EQ(got.args, c.want);
    EXPECT_EQ(got.rewrites.size(), c.rewrites);
  }
}

TEST(BootDecision, UnrenderableEnvironmentIs500NamingIt) {
  World w;
  auto e = model::Environment::make("default");
  e.set_kernel({"http://x/k", "", {std::string(2100, 'a')}});
  e.set_initrd({"http://x/i", ""});
  World::put(w.environments, e.raw());
  build(w, {});
  auto d = w.decide();
  EXPECT_EQ(d.outcome, Outcome::kInvalid);
  EXPECT_EQ(d.http_status, 500);
  EXPECT_NE(d.body.find("environment default: kernel command line"), std::string::npos) << d.body;
}

TEST(BootDecision, OutcomeLabels) {
  EXPECT_EQ(outcome_label(Outcome::kAgent), "agent");
  EXPECT_EQ(outcome_label(Outcome::kEnvironment), "environment");
  EXPECT_EQ(outcome_label(Outcome::kDisk), "disk");
  EXPECT_EQ(outcome_label(Outcome::kNotFound), "404");
  EXPECT_EQ(outcome_label(Outcome::kNotReady), "412");
}

}  // namespace
}  // namespace ferrum::ipxe
