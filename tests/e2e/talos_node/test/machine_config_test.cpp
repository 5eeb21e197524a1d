// Loading and validation as Talos v1.8 does it (sources cited in machine_config.hpp).
#include "machine_config.hpp"

#include <gtest/gtest.h>

namespace ferrum::talos_node {
namespace {

const char* kGood = R"(version: v1alpha1
machine:
  type: worker
  install:
    disk: /dev/vda
  kubelet:
    extraArgs:
      node-labels: a=1,metal.sidero.dev/uuid=u-1
  nodeLabels:
    zone: z1
cluster:
  clusterName: c
---
apiVersion: v1alpha1
kind: SideroLinkConfig
apiUrl: grpc://10.77.0.1:8099?jointoken=tok
---
apiVersion: v1alpha1
kind: EventSinkConfig
endpoint: '[fdae::1]:4002'
---
apiVersion: v1alpha1
kind: KmsgLogConfig
name: remote-log
url: tcp://[fdae::1]:4001
)";

bool vda(const std::string& d) { return d == "/dev/vda"; }

TEST(LoadMachineConfig, GoodConfig) {
  auto r = load_machine_config(kGood, vda);
  ASSERT_TRUE(std::holds_alternative<NodeConfig>(r)) << std::get<ConfigError>(r).message;
  const auto& c = std::get<NodeConfig>(r);
  EXPECT_EQ(c.install_disk, "/dev/vda");
  EXPECT_EQ(c.labels.at("a"), "1");
  EXPECT_EQ(c.labels.at("metal.sidero.dev/uuid"), "u-1");
  EXPECT_EQ(c.labels.at("zone"), "z1");
  EXPECT_EQ(c.siderolink_api_url, "grpc://10.77.0.1:8099?jointoken=tok");
  EXPECT_EQ(c.event_sink_endpoint, "[fdae::1]:4002");
  ASSERT_EQ(c.kmsg_log_urls.size(), 1u);
  EXPECT_EQ(c.kmsg_log_urls[0], "tcp://[fdae::1]:4001");
}

struct Bad {
  const char* name;
  const char* yaml;
  ConfigError::Stage stage;
  const char* message;
};

class BadConfig : public ::testing::TestWithParam<Bad> {};

TEST_P(BadConfig, RejectedWithTalosMessage) {
  auto r = load_machine_config(GetParam().yaml, vda);
  ASSERT_TRUE(std::holds_alternative<ConfigError>(r));
  const auto& e = std::get<ConfigError>(r);
  EXPECT_EQ(e.stage, GetParam().stage);
  EXPECT_EQ(e.message, GetParam().message);
}

using S = ConfigError::Stage;
INSTANTIATE_TEST_SUITE_P(
    Talos, BadConfig,
    ::testing::Values(
        Bad{"empty", "", S::kLoad, "failed to load config via platform metal: config not found"},
        Bad{"unknown_kind", "apiVersion: v1alpha1\nkind: Bogus\n", S::kLoad,
            "failed to load config via platform metal: \"Bogus\" \"v1alpha1\": not registered"},
        Bad{"missing_version", "kind: SideroLinkConfig\napiUrl: grpc://a:1\n", S::kLoad,
            "failed to load config via platform metal: \"SideroLinkConfig\" \"\": not registered"},
        Bad{"missing_kind", "apiVersion: v1alpha2\nfoo: 1\n", S::kLoad,
            "failed to load config via platform metal: missing kind"},
        Bad{"duplicate",
            "apiVersion: v1alpha1\nkind: EventSinkConfig\nendpoint: a:1\n---\n"
            "apiVersion: v1alpha1\nkind: EventSinkConfig\nendpoint: a:1\n",
            S::kLoad,
            "failed to load config via platform metal: duplicate document "
            "v1alpha1/EventSinkConfig/ "
            "is not allowed"},
        Bad{"unknown_top_level_key", "machine:\n  install:\n    disk: /dev/vda\nmachin: {}\n",
            S::kLoad,
            "failed to load config via platform metal: unknown keys found during decoding:\n"
            "machin: {}\n"},
        Bad{"unknown_key_in_document",
            "apiVersion: v1alpha1\nkind: EventSinkConfig\nendpoint: a:1\nendpiont: b\n", S::kLoad,
            "failed to load config via platform metal: unknown keys found during decoding:\n"
            "endpiont: b\n"},
        Bad{"not_a_mapping", "- a\n- b\n", S::kLoad,
            "failed to load config via platform metal: expected a document"},
        Bad{"no_install", "version: v1alpha1\nmachine:\n  type: worker\n", S::kValidate,
            "failed to validate config acquired via platform metal: 1 error occurred:\n\t* install "
            "instructions are required in \"metal\" mode\n\n"},
        Bad{"missing_disk", "machine:\n  install:\n    disk: /dev/sdz\n", S::kValidate,
            "failed to validate config acquired via platform metal: 1 error occurred:\n\t* "
            "specified "
            "install disk does not exist: \"/dev/sdz\"\n\n"},
        Bad{"empty_disk", "machine:\n  install:\n    image: x\n", S::kValidate,
            "failed to validate config acquired via platform metal: 2 errors occurred:\n\t* an "
            "install disk is required in \"metal\" mode\n\t* specified install disk does not "
            "exist: \"\"\n\n"},
        Bad{"bad_siderolink",
            "machine:\n  install:\n    disk: /dev/vda\n---\napiVersion: v1alpha1\n"
            "kind: SideroLinkConfig\napiUrl: http://x/\n",
            S::kValidate,
            "failed to validate config acquired via platform metal: 1 error occurred:\n\t* apiUrl "
            "scheme must be https:// or grpc://\n\n"},
        Bad{"bad_sink",
            "machine:\n  install:\n    disk: /dev/vda\n---\napiVersion: v1alpha1\n"
            "kind: EventSinkConfig\nendpoint: fdae::1\n",
            S::kValidate,
            "failed to validate config acquired via platform metal: 1 error occurred:\n\t* event "
            "sink "
            "endpoint: address fdae::1: too many colons in address\n\n"},
        Bad{"kmsg_no_name",
            "machine:\n  install:\n    disk: /dev/vda\n---\napiVersion: v1alpha1\n"
            "kind: KmsgLogConfig\nurl: tcp://a:1\n",
            S::kValidate,
            "failed to validate config acquired via platform metal: 1 error occurred:\n\t* name is "
            "required\n\n"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(LoadMachineConfig, UnparseableYamlIsALoadError) {
  auto r = load_machine_config("machine: [unclosed\n", vda);
  ASSERT_TRUE(std::holds_alternative<ConfigError>(r));
  EXPECT_EQ(std::get<ConfigError>(r).stage, S::kLoad);
  EXPECT_EQ(std::get<ConfigError>(r).message.rfind(
                "failed to load config via platform metal: decode error: ", 0),
            0u);
}

}  // namespace
}  // namespace ferrum::talos_node
