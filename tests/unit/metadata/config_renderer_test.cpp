// Fixture tests of the pure /configdata renderer: every case renders a real YAML config and
// checks the parsed result (so key order and quoting do not matter) or the error's fields.
#include "config_renderer.hpp"

#include <gtest/gtest.h>

#include "ferrum/yaml.hpp"

namespace ferrum::metadata {
namespace {

using nlohmann::json;

constexpr const char* kUuid = "4c4c4544-0039-3010-8048-b7c04f565931";

// A trimmed Talos controlplane config as CABPT writes it, with a field Ferrum does not model
// (`machine.futureField`) to prove unknown YAML survives.
constexpr const char* kConfig = R"(version: v1alpha1
debug: false
persist: true
machine:
  type: controlplane
  token: abc.def
  install:
    disk: /dev/sda
    image: ghcr.io/siderolabs/installer:v1.7.0
  futureField:
    nested: [1, 2, 3]
cluster:
  clusterName: demo
  controlPlane:
    endpoint: https://10.5.0.2:6443
)";

PatchSource patches(std::string name, const char* json_patch,
                    std::vector<std::string> strategic = {}) {
  PatchSource p;
  p.name = std::move(name);
  p.config_patches = json_patch ? json::parse(json_patch) : json();
  p.strategic_patches = std::move(strategic);
  return p;
}

RenderInput input(const char* config = kConfig) {
  RenderInput in;
  in.bootstrap_config = config;
  in.server = patches(kUuid, nullptr);
  in.uuid = kUuid;
  return in;
}

std::vector<json> render_docs(const RenderInput& in) {
  auto out = render_config(in);
  EXPECT_TRUE(out.has_value()) << (out ? "" : out.error().message());
  if (!out) return {};
  auto docs = yaml::parse_all(*out);
  EXPECT_TRUE(docs.has_value());
  return docs ? *docs : std::vector<json>{};
}

RenderError render_error(const RenderInput& in) {
  auto out = render_config(in);
  EXPECT_FALSE(out.has_value()) << "rendered:\n" << (out ? *out : "");
  return out ? RenderError{} : out.error();
}

std::string label_of(const json& doc) {
  return doc.at("machine").at("kubelet").at("extraArgs").at("node-labels").get<std::string>();
}

TEST(ConfigRenderer, NoPatchesKeepsConfigAndAddsOnlyTheLabel) {
  auto docs = render_docs(input());
  ASSERT_EQ(docs.size(), 1u);
  auto want = *yaml::parse(kConfig);
  want["machine"]["kubelet"]["extraArgs"]["node-labels"] =
      std::string("metal.sidero.dev/uuid=") + kUuid;
  EXPECT_EQ(docs[0], want);
}

TEST(ConfigRenderer, ServerPatchApplies) {
  auto in = input();
  in.server =
      patches(kUuid, R"([{"op":"replace","path":"/machine/install/disk","value":"/dev/nvme0n1"}])");
  auto docs = render_docs(in);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0]["machine"]["install"]["disk"], "/dev/nvme0n1");
}

TEST(ConfigRenderer, ServerClassPatchesApplyBeforeServerPatches) {
  auto in = input();
  // The Server's patch appends to a list the ServerClass's patch creates: it only works when
  // the class goes first, and the order of the result shows who went first.
  in.server_class =
      patches("workers",
              R"([{"op":"add","path":"/machine/install/extraKernelArgs","value":["from-class"]}])");
  in.server = patches(
      kUuid, R"([{"op":"add","path":"/machine/install/extraKernelArgs/-","value":"from-server"},
                                {"op":"replace","path":"/machine/install/disk","value":"/dev/vdb"}])");
  auto docs = render_docs(in);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0]["machine"]["install"]["extraKernelArgs"], json({"from-class", "from-server"}));
  EXPECT_EQ(docs[0]["machine"]["install"]["disk"], "/dev/vdb");
}

TEST(ConfigRenderer, StrategicPatchesComeAfterJsonPatchesOfTheSameObject) {
  auto in = input();
  in.server_class = patches(
      "workers", R"([{"op":"replace","path":"/machine/install/disk","value":"/dev/class"}])",
      {"machine:\n  install:\n    disk: /dev/class-strategic\n"});
  in.server = patches(
      kUuid, R"([{"op":"test","path":"/machine/install/disk","value":"/dev/class-strategic"}])",
      {"machine:\n  install:\n    wipe: true\n"});
  auto docs = render_docs(in);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0]["machine"]["install"]["disk"], "/dev/class-strategic");
  EXPECT_EQ(docs[0]["machine"]["install"]["wipe"], true);
}

TEST(ConfigRenderer, ReplaceOfMissingSubtreeFailsAndAddThenReplaceWorks) {
  auto in = input();
  in.server =
      patches(kUuid, R"([{"op":"replace","path":"/machine/network/hostname","value":"n1"}])");
  auto err = render_error(in);
  EXPECT_EQ(err.source, ErrorSource::kServer);
  EXPECT_EQ(err.object, kUuid);
  EXPECT_EQ(err.field, "configPatches");
  EXPECT_EQ(err.index, 0u);
  EXPECT_EQ(err.op, "replace");
  EXPECT_EQ(err.path, "/machine/network/hostname");
  EXPECT_NE(err.reason.find("path /machine/network does not exist: add it with op add first"),
            std::string::npos)
      << err.reason;
  EXPECT_EQ(
      err.message().rfind(std::string("Server ") + kUuid +
                              ": configPatches operation 0 (replace /machine/network/hostname): ",
                          0),
      0u)
      << err.message();

  in.server = patches(kUuid, R"([{"op":"add","path":"/machine/network","value":{"hostname":"n0"}},
                                {"op":"replace","path":"/machine/network/hostname","value":"n1"}])");
  auto docs = render_docs(in);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0]["machine"]["network"], json({{"hostname", "n1"}}));
}

TEST(ConfigRenderer, TestMoveCopyRemoveOps) {
  auto in = input();
  in.server = patches(kUuid, R"([
    {"op":"test","path":"/machine/type","value":"controlplane"},
    {"op":"copy","from":"/machine/install/image","path":"/machine/installImageCopy"},
    {"op":"move","from":"/machine/futureField","path":"/machine/movedField"},
    {"op":"remove","path":"/machine/token"}])");
  auto docs = render_docs(in);
  ASSERT_EQ(docs.size(), 1u);
  const auto& m = docs[0]["machine"];
  EXPECT_EQ(m["installImageCopy"], "ghcr.io/siderolabs/installer:v1.7.0");
  EXPECT_EQ(m["install"]["image"], "ghcr.io/siderolabs/installer:v1.7.0");
  EXPECT_FALSE(m.contains("futureField"));
  EXPECT_EQ(m["movedField"]["nested"], json({1, 2, 3}));
  EXPECT_FALSE(m.contains("token"));
}

TEST(ConfigRenderer, FailingTestOpNamesTheServerClassAndIndex) {
  auto in = input();
  in.server_class = patches("workers", R"([{"op":"add","path":"/machine/x","value":1},
                                          {"op":"test","path":"/machine/type","value":"worker"}])");
  auto err = render_error(in);
  EXPECT_EQ(err.source, ErrorSource::kServerClass);
  EXPECT_EQ(err.object, "workers");
  EXPECT_EQ(err.index, 1u);
  EXPECT_EQ(err.op, "test");
  EXPECT_EQ(err.path, "/machine/type");
  EXPECT_NE(err.reason.find("test failed"), std::string::npos) << err.reason;
  EXPECT_EQ(err.message().rfind(
                "ServerClass workers: configPatches operation 1 (test /machine/type): ", 0),
            0u)
      << err.message();
}

TEST(ConfigRenderer, MoveWithoutFromIsAClearError) {
  auto in = input();
  in.server = patches(kUuid, R"([{"op":"move","path":"/machine/y"}])");
  auto err = render_error(in);
  EXPECT_EQ(err.index, 0u);
  EXPECT_EQ(err.op, "move");
  EXPECT_NE(err.reason.find("from"), std::string::npos) << err.reason;
}

TEST(ConfigRenderer, StrategicPatchesMergeAndAddDocuments) {
  auto in = input();
  in.server = patches(
      kUuid, nullptr,
      {"machine:\n  install:\n    disk: /dev/sdb\n  certSANs: [a.example]\n",
       "apiVersion: v1alpha1\nkind: KmsgLogConfig\nname: extra\nurl: udp://10.0.0.9:514\n"});
  auto docs = render_docs(in);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0]["machine"]["install"]["disk"], "/dev/sdb");
  EXPECT_EQ(docs[0]["machine"]["install"]["image"], "ghcr.io/siderolabs/installer:v1.7.0");
  EXPECT_EQ(docs[0]["machine"]["certSANs"], json({"a.example"}));
  EXPECT_EQ(docs[1]["kind"], "KmsgLogConfig");
  EXPECT_EQ(docs[1]["name"], "extra");
}

// The ServerClass's and then the Server's strategic patches change the bootstrap config's
// eth0 the way Talos merges interfaces (by name): one eth0, with every patch's change.
TEST(ConfigRenderer, StrategicPatchesMergeInterfacesByNameAcrossSources) {
  constexpr const char* kWithInterface = R"(version: v1alpha1
machine:
  network:
    interfaces:
      - interface: eth0
        dhcp: true
        addresses: [10.5.0.10/24]
cluster:
  network:
    podSubnets: [10.244.0.0/16]
)";
  auto in = input(kWithInterface);
  in.server_class =
      patches("workers", nullptr,
              {"machine:\n  network:\n    interfaces:\n      - interface: eth0\n        mtu: 9000\n"
               "        vlans:\n          - vlanId: 20\n            dhcp: true\n"
               "cluster:\n  network:\n    podSubnets: [10.32.0.0/12]\n"});
  in.server = patches(kUuid, nullptr,
                      {"machine:\n  network:\n    interfaces:\n      - interface: eth0\n"
                       "        dhcp: false\n        vlans:\n          - vlanId: 20\n"
                       "            mtu: 1400\n"});
  auto docs = render_docs(in);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0]["machine"]["network"]["interfaces"], json::parse(R"([{
    "interface": "eth0", "dhcp": false, "addresses": ["10.5.0.10/24"], "mtu": 9000,
    "vlans": [{"vlanId": 20, "dhcp": true, "mtu": 1400}]}])"));
  EXPECT_EQ(docs[0]["cluster"]["network"]["podSubnets"], json({"10.32.0.0/12"}));
}

TEST(ConfigRenderer, BrokenStrategicPatchNamesItsEntry) {
  auto in = input();
  in.server_class =
      patches("workers", nullptr, {"machine:\n  type: worker\n", "machine: [unclosed\n"});
  auto err = render_error(in);
  EXPECT_EQ(err.source, ErrorSource::kServerClass);
  EXPECT_EQ(err.field, "strategicPatches");
  EXPECT_EQ(err.index, 1u);
  EXPECT_EQ(err.message().rfind("ServerClass workers: strategicPatches[1]: ", 0), 0u)
      << err.message();
}

TEST(ConfigRenderer, MultiDocumentConfigKeepsOtherDocumentsAndPatchesTheMainOne) {
  // The v1alpha1 document is not first: RFC 6902 paths still address it.
  constexpr const char* kMulti = R"(apiVersion: v1alpha1
kind: KmsgLogConfig
name: site-logs
url: udp://10.0.0.5:514
---
version: v1alpha1
machine:
  type: worker
  install:
    disk: /dev/sda
cluster:
  clusterName: demo
---
apiVersion: v1alpha1
kind: NetworkDefaultActionConfig
ingress: block
)";
  auto in = input(kMulti);
  in.server =
      patches(kUuid, R"([{"op":"replace","path":"/machine/install/disk","value":"/dev/sdc"}])");
  auto docs = render_docs(in);
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0]["name"], "site-logs");
  EXPECT_EQ(docs[1]["machine"]["install"]["disk"], "/dev/sdc");
  EXPECT_EQ(label_of(docs[1]), std::string("metal.sidero.dev/uuid=") + kUuid);
  EXPECT_EQ(docs[2]["kind"], "NetworkDefaultActionConfig");
  EXPECT_EQ(docs[2]["ingress"], "block");
}

TEST(ConfigRenderer, NodeLabelAddedWhenKubeletAbsentAndAppendedWhenPresent) {
  auto docs = render_docs(input());
  EXPECT_EQ(label_of(docs[0]), std::string("metal.sidero.dev/uuid=") + kUuid);

  constexpr const char* kWithLabels = R"(version: v1alpha1
machine:
  kubelet:
    image: ghcr.io/siderolabs/kubelet:v1.30.0
    extraArgs:
      node-labels: rack=r1,zone=a
      rotate-server-certificates: "true"
)";
  docs = render_docs(input(kWithLabels));
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(label_of(docs[0]), std::string("rack=r1,zone=a,metal.sidero.dev/uuid=") + kUuid);
  EXPECT_EQ(docs[0]["machine"]["kubelet"]["extraArgs"]["rotate-server-certificates"], "true");
  EXPECT_EQ(docs[0]["machine"]["kubelet"]["image"], "ghcr.io/siderolabs/kubelet:v1.30.0");
}

TEST(ConfigRenderer, AddNodeLabelTable) {
  struct Case {
    const char* in;
    const char* want;
  };
  const Case cases[] = {
      {"", "metal.sidero.dev/uuid=U"},
      {"a=b", "a=b,metal.sidero.dev/uuid=U"},
      {"a=b,c=d", "a=b,c=d,metal.sidero.dev/uuid=U"},
      {"metal.sidero.dev/uuid=OLD,a=b", "a=b,metal.sidero.dev/uuid=U"},
      {"a=b,,", "a=b,metal.sidero.dev/uuid=U"},
      {"metal.sidero.dev/uuid-like=x", "metal.sidero.dev/uuid-like=x,metal.sidero.dev/uuid=U"},
  };
  for (const auto& c : cases) EXPECT_EQ(add_node_label(c.in, "U"), c.want) << c.in;
}

TEST(ConfigRenderer, NonStringNodeLabelsIsRejected) {
  auto err = render_error(
      input("version: v1alpha1\nmachine:\n  kubelet:\n    extraArgs:\n      node-labels: [a]\n"));
  EXPECT_EQ(err.source, ErrorSource::kBootstrapConfig);
  EXPECT_EQ(err.path, "/machine/kubelet/extraArgs/node-labels");
}

TEST(ConfigRenderer, UnknownFieldsAndTypesSurvive) {
  constexpr const char* kOdd = R"(version: v1alpha1
machine:
  type: worker
  notInAnySchema:
    octal: 0644
    yesIsAString: yes
    quoted: "true"
    big: 18446744073709551615
    multi: |
      line one
      line two
)";
  auto docs = render_docs(input(kOdd));
  ASSERT_EQ(docs.size(), 1u);
  const auto& f = docs[0]["machine"]["notInAnySchema"];
  EXPECT_EQ(f["octal"], 420);
  EXPECT_EQ(f["yesIsAString"], "yes");
  EXPECT_EQ(f["quoted"], "true");
  EXPECT_EQ(f["big"], 18446744073709551615ull);
  EXPECT_EQ(f["multi"], "line one\nline two\n");
}

TEST(ConfigRenderer, NonV1alpha1ConfigIsRejected) {
  struct Case {
    const char* config;
    const char* reason_has;
  };
  const Case cases[] = {
      {"version: v1alpha2\nmachine: {}\n",
       "has version \"v1alpha2\"; only version v1alpha1 is supported"},
      {"machine: {}\n", "has no `version`; only version v1alpha1 is supported"},
      {"apiVersion: v1alpha1\nkind: KmsgLogConfig\nname: x\nurl: tcp://1.2.3.4:5\n",
       "no v1alpha1 machine config document"},
      {"version: v1alpha1\n---\nversion: v1alpha1\n", "both lack `kind`"},
      {"- a\n- b\n", "document 0 is a array, not a map"},
      {"version: [v1alpha1\n", "not valid YAML"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.config);
    auto err = render_error(input(c.config));
    EXPECT_EQ(err.source, ErrorSource::kBootstrapConfig);
    EXPECT_NE(err.reason.find(c.reason_has), std::string::npos) << err.reason;
    EXPECT_EQ(err.message().rfind("bootstrap config: ", 0), 0u) << err.message();
  }
}

TEST(ConfigRenderer, PatchThatDeletesTheMainDocumentIsRejected) {
  auto in = input();
  in.server = patches(kUuid, nullptr, {"version: v1alpha1\n$patch: delete\n"});
  auto err = render_error(in);
  EXPECT_EQ(err.source, ErrorSource::kServer);
  EXPECT_EQ(err.field, "strategicPatches");
  EXPECT_NE(err.reason.find("cannot delete the v1alpha1 machine config document"),
            std::string::npos)
      << err.reason;
}

TEST(ConfigRenderer, SideroLinkDocumentsAppendedAndReplaceExistingOnes) {
  constexpr const char* kWithLink = R"(version: v1alpha1
machine: {type: worker}
---
apiVersion: v1alpha1
kind: SideroLinkConfig
apiUrl: grpc://stale:1
---
apiVersion: v1alpha1
kind: KmsgLogConfig
name: site-logs
url: udp://10.0.0.5:514
)";
  auto in = input(kWithLink);
  in.link = LinkParameters{"grpc://10.5.0.1:50110", "fdae:41e4:649b:9303::1", 4002, 4001};
  auto docs = render_docs(in);
  ASSERT_EQ(docs.size(), 5u);
  EXPECT_EQ(docs[0]["version"], "v1alpha1");
  EXPECT_EQ(docs[1]["name"], "site-logs");  // an operator's own log sink stays
  EXPECT_EQ(docs[2], json({{"apiVersion", "v1alpha1"},
                           {"kind", "SideroLinkConfig"},
                           {"apiUrl", "grpc://10.5.0.1:50110"}}));
  EXPECT_EQ(docs[3], json({{"apiVersion", "v1alpha1"},
                           {"kind", "EventSinkConfig"},
                           {"endpoint", "[fdae:41e4:649b:9303::1]:4002"}}));
  EXPECT_EQ(docs[4], json({{"apiVersion", "v1alpha1"},
                           {"kind", "KmsgLogConfig"},
                           {"name", "remote-log"},  // Sidero's name (metadata_server.go)
                           {"url", "tcp://[fdae:41e4:649b:9303::1]:4001"}}));
}

TEST(ConfigRenderer, SameInputsSameBytes) {
  auto in = input();
  in.server =
      patches(kUuid, R"([{"op":"add","path":"/machine/a","value":1}])", {"machine:\n  b: 2\n"});
  auto a = render_config(in);
  auto b = render_config(in);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
}

}  // namespace
}  // namespace ferrum::metadata

namespace ferrum::metadata {
namespace {

TEST(ConfigRenderer, ParsedHalvesGiveTheSameBytesAndTheSameErrors) {
  auto in = input();
  in.server_class = patches("workers", R"([{"op":"add","path":"/machine/x","value":1}])");
  in.server = patches(kUuid, nullptr, {"machine:\n  y: 2\n"});
  auto docs = parse_bootstrap_config(kConfig);
  ASSERT_TRUE(docs.has_value());
  auto whole = render_config(in);
  auto halves = render_parsed_config(*docs, in);
  ASSERT_TRUE(whole && halves);
  EXPECT_EQ(*whole, *halves);
  // The parsed documents are not modified, so they can be shared between renders.
  EXPECT_EQ(*docs, *parse_bootstrap_config(kConfig));

  in.server = patches(kUuid, R"([{"op":"remove","path":"/nope"}])");
  auto err = render_parsed_config(*docs, in);
  ASSERT_FALSE(err.has_value());
  EXPECT_EQ(err.error().message(), render_config(in).error().message());
  EXPECT_FALSE(parse_bootstrap_config("version: v1alpha2\n").has_value());
}

// configPatches values may nest as deep as the API allows (10000); the emitter recurses and
// indents once per level, so a config nested deeper than the YAML reader's limit is refused,
// naming the patch's owner, and a value past the API's limit is refused by the patch engine.
TEST(ConfigRenderer, DeeplyNestedPatchValuesAreRefusedNamingTheirSource) {
  auto nested = [](std::size_t depth) {
    json v = "leaf";
    for (std::size_t i = 0; i < depth; ++i) v = json{{"a", std::move(v)}};
    return v;
  };
  for (std::size_t depth : {yaml::kMaxDepth, std::size_t{9'000}, std::size_t{20'000}}) {
    SCOPED_TRACE(depth);
    auto in = input();
    in.server.config_patches =
        json::array({{{"op", "add"}, {"path", "/machine/deep"}, {"value", nested(depth)}}});
    auto err = render_error(in);
    EXPECT_EQ(err.source, ErrorSource::kServer);
    EXPECT_EQ(err.field, "configPatches");
    EXPECT_FALSE(err.reason.empty());
  }
  // Well inside the limit it renders and reads back.
  auto in = input();
  in.server.config_patches =
      json::array({{{"op", "add"}, {"path", "/machine/deep"}, {"value", nested(200)}}});
  auto docs = render_docs(in);
  ASSERT_FALSE(docs.empty());
  EXPECT_EQ(docs[0]["machine"]["deep"], nested(200));
}

}  // namespace
}  // namespace ferrum::metadata
