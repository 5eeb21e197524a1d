#include "ferrum/yaml.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

namespace ferrum::yaml {
namespace {

using json = nlohmann::json;
using testing::HasSubstr;

json parse_ok(std::string_view text) {
  auto doc = parse(text);
  EXPECT_TRUE(doc.has_value()) << doc.error().message() << "\n" << text;
  return doc ? doc.value() : json();
}

std::vector<json> parse_all_ok(std::string_view text) {
  auto docs = parse_all(text);
  EXPECT_TRUE(docs.has_value()) << docs.error().message() << "\n" << text;
  return docs ? docs.value() : std::vector<json>{};
}

// ---- scalar typing ----

struct TypingCase {
  const char* yaml;    // the value of `v:`
  const char* json;    // expected, as JSON text
  json::value_t type;  // expected nlohmann type
};

// gtest_discover_tests puts the printed parameter into the ctest name: one escaped line.
void PrintTo(const TypingCase& c, std::ostream* os) { *os << json(c.yaml).dump(); }

class ScalarTyping : public testing::TestWithParam<TypingCase> {};

TEST_P(ScalarTyping, ReadsAsExpected) {
  const TypingCase& c = GetParam();
  json doc = parse_ok(std::string("v: ") + c.yaml + "\n");
  ASSERT_TRUE(doc.contains("v"));
  EXPECT_EQ(doc["v"], json::parse(c.json)) << "v: " << c.yaml;
  EXPECT_EQ(doc["v"].type(), c.type) << "v: " << c.yaml << " read as " << doc["v"].dump();
}

constexpr auto kInt = json::value_t::number_integer;
constexpr auto kUint = json::value_t::number_unsigned;
constexpr auto kFloat = json::value_t::number_float;
constexpr auto kStr = json::value_t::string;
constexpr auto kBool = json::value_t::boolean;
constexpr auto kNull = json::value_t::null;

INSTANTIATE_TEST_SUITE_P(
    Table, ScalarTyping,
    testing::Values(
        // integers
        TypingCase{"42", "42", kInt}, TypingCase{"-17", "-17", kInt}, TypingCase{"+5", "5", kInt},
        TypingCase{"0", "0", kInt}, TypingCase{"-0", "0", kInt},
        TypingCase{"9223372036854775807", "9223372036854775807", kInt},
        TypingCase{"-9223372036854775808", "-9223372036854775808", kInt},
        TypingCase{"9223372036854775808", "9223372036854775808", kUint},
        TypingCase{"18446744073709551615", "18446744073709551615", kUint},
        TypingCase{"18446744073709551616", "1.8446744073709552e19", kFloat},
        TypingCase{"-9223372036854775809", "-9.223372036854775809e18", kFloat},
        TypingCase{"0x1F", "31", kInt}, TypingCase{"0o17", "15", kInt},
        TypingCase{"0644", "420", kInt},  // file modes, as Kubernetes and Talos read them
        TypingCase{"089", "\"089\"", kStr},
        // floats
        TypingCase{"1.5", "1.5", kFloat}, TypingCase{"-0.25", "-0.25", kFloat},
        TypingCase{"1e3", "1000.0", kFloat}, TypingCase{"1.0e+100", "1e100", kFloat},
        TypingCase{".5", "0.5", kFloat}, TypingCase{"1.", "1.0", kFloat},
        TypingCase{"1.0", "1.0", kFloat},
        // booleans: YAML 1.2 core only
        TypingCase{"true", "true", kBool}, TypingCase{"True", "true", kBool},
        TypingCase{"TRUE", "true", kBool}, TypingCase{"false", "false", kBool},
        TypingCase{"False", "false", kBool},
        // YAML 1.1 booleans stay strings (go-yaml v3 / Talos reading into untyped values)
        TypingCase{"yes", "\"yes\"", kStr}, TypingCase{"no", "\"no\"", kStr},
        TypingCase{"on", "\"on\"", kStr}, TypingCase{"off", "\"off\"", kStr},
        TypingCase{"y", "\"y\"", kStr}, TypingCase{"N", "\"N\"", kStr},
        // nulls
        TypingCase{"null", "null", kNull}, TypingCase{"Null", "null", kNull},
        TypingCase{"~", "null", kNull}, TypingCase{"", "null", kNull},
        // quoted scalars are always strings
        TypingCase{"\"123\"", "\"123\"", kStr}, TypingCase{"'123'", "\"123\"", kStr},
        TypingCase{"\"true\"", "\"true\"", kStr}, TypingCase{"'false'", "\"false\"", kStr},
        TypingCase{"\"null\"", "\"null\"", kStr}, TypingCase{"'~'", "\"~\"", kStr},
        TypingCase{"\"\"", "\"\"", kStr}, TypingCase{"''", "\"\"", kStr},
        TypingCase{"\"1.5\"", "\"1.5\"", kStr}, TypingCase{"\"0644\"", "\"0644\"", kStr},
        // explicit tags
        TypingCase{"!!str 42", "\"42\"", kStr}, TypingCase{"!!str true", "\"true\"", kStr},
        TypingCase{"!!int \"42\"", "42", kInt}, TypingCase{"!!float 1", "1.0", kFloat},
        TypingCase{"!!bool \"true\"", "true", kBool}, TypingCase{"!custom 42", "\"42\"", kStr},
        // strings that only look numeric to someone
        TypingCase{"1_000", "\"1_000\"", kStr}, TypingCase{"12:30", "\"12:30\"", kStr},
        TypingCase{"2001-12-14", "\"2001-12-14\"", kStr},
        TypingCase{"10.0.0.1", "\"10.0.0.1\"", kStr}, TypingCase{"v1.28.0", "\"v1.28.0\"", kStr},
        TypingCase{"1Gi", "\"1Gi\"", kStr}, TypingCase{"hello world", "\"hello world\"", kStr},
        // block scalars are strings
        TypingCase{"|\n  123\n", "\"123\\n\"", kStr},
        TypingCase{">-\n  true\n", "\"true\"", kStr}));

TEST(ScalarTyping, InfinityAndNan) {
  json doc = parse_ok("a: .inf\nb: -.Inf\nc: +.INF\nd: .nan\ne: .NaN\n");
  EXPECT_EQ(doc["a"].get<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(doc["b"].get<double>(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(doc["c"].get<double>(), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(doc["d"].get<double>()));
  EXPECT_TRUE(std::isnan(doc["e"].get<double>()));
  // out of double's range: saturate as strtod does
  json extreme = parse_ok("big: 1e999\ntiny: 1E-999\n");
  EXPECT_EQ(extreme["big"].get<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(extreme["tiny"].get<double>(), 0.0);
}

TEST(ScalarTyping, KeysAreAlwaysStrings) {
  json doc = parse_ok("1: a\ntrue: b\nnull: c\n\"q\": d\n");
  EXPECT_EQ(doc, json({{"1", "a"}, {"true", "b"}, {"null", "c"}, {"q", "d"}}));
}

TEST(ScalarTyping, AnchorsAndAliasesExpand) {
  json doc = parse_ok("base: &b\n  x: 1\ncopy: *b\n");
  EXPECT_EQ(doc["copy"], json({{"x", 1}}));
}

// ---- emitting ----

// Every one of these must survive emit -> parse unchanged, in every position a string can
// take (value, top-level document, sequence item, key).
const std::vector<std::string> kAwkwardStrings = {"true",
                                                  "True",
                                                  "FALSE",
                                                  "yes",
                                                  "No",
                                                  "on",
                                                  "OFF",
                                                  "y",
                                                  "n",
                                                  "Y",
                                                  "123",
                                                  "-1",
                                                  "+1",
                                                  "0x1F",
                                                  "0o17",
                                                  "0644",
                                                  "089",
                                                  "1.0",
                                                  "1e3",
                                                  ".5",
                                                  ".inf",
                                                  "-.inf",
                                                  ".nan",
                                                  "null",
                                                  "Null",
                                                  "~",
                                                  "",
                                                  " lead",
                                                  "trail ",
                                                  "  ",
                                                  "a: b",
                                                  "a #b",
                                                  "#c",
                                                  "key:",
                                                  "- x",
                                                  "-",
                                                  "---",
                                                  "...",
                                                  "--- x",
                                                  "*ref",
                                                  "&a",
                                                  "!tag",
                                                  "%x",
                                                  "@x",
                                                  "`x",
                                                  "{a}",
                                                  "[a]",
                                                  ",a",
                                                  "?x",
                                                  ":x",
                                                  "|x",
                                                  ">x",
                                                  "'q'",
                                                  "\"dq\"",
                                                  "1_000",
                                                  "12:30",
                                                  "2001-12-14",
                                                  "0b101",
                                                  "=",
                                                  "<<",
                                                  "tab\there",
                                                  "nl\nline",
                                                  "multi\nline\n",
                                                  "keep\n\n\n",
                                                  "\nleading newline",
                                                  " lead\nx",
                                                  "cr\r\nlf",
                                                  std::string("nul\0byte", 8),
                                                  "\x01\x1f\x7f",
                                                  "caf\xc3\xa9",
                                                  "nel\xc2\x85",
                                                  "\xef\xbb\xbf"
                                                  "bom",
                                                  "ls\xe2\x80\xa8ps\xe2\x80\xa9",
                                                  "back\\slash",
                                                  "a:b",
                                                  "https://example.com:6443/path?x=1#frag",
                                                  "-foo",
                                                  "--flag=value",
                                                  "foo bar",
                                                  "10.0.0.1",
                                                  "fd00::1",
                                                  "::1",
                                                  "ghcr.io/siderolabs/installer:v1.7.0",
                                                  "/dev/sda",
                                                  "line1\nline2",
                                                  "  indented\nblock\n",
                                                  "trailing spaces   \nnext",
                                                  "x\n  y\n\tz\n"};

class EmitRoundTrip : public testing::TestWithParam<std::string> {};

TEST_P(EmitRoundTrip, AsValue) {
  json doc = {{"k", GetParam()}};
  std::string text = emit(doc);
  auto back = parse(text);
  ASSERT_TRUE(back.has_value()) << back.error().message() << "\n" << text;
  EXPECT_EQ(back.value(), doc) << text;
}

TEST_P(EmitRoundTrip, AsDocument) {
  json doc = GetParam();
  std::string text = emit(doc);
  auto back = parse(text);
  ASSERT_TRUE(back.has_value()) << back.error().message() << "\n" << text;
  EXPECT_EQ(back.value(), doc) << text;
}

TEST_P(EmitRoundTrip, AsSequenceItemAndKey) {
  json doc = {{"list", {GetParam(), {{"nested", GetParam()}}, json::array({GetParam()})}},
              {GetParam(), GetParam()}};
  std::string text = emit(doc);
  auto back = parse(text);
  ASSERT_TRUE(back.has_value()) << back.error().message() << "\n" << text;
  EXPECT_EQ(back.value(), doc) << text;
}

std::string printable_name(const testing::TestParamInfo<std::string>& info) {
  std::string name = std::to_string(info.index) + "_";
  for (char c : info.param.substr(0, 20)) {
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Strings, EmitRoundTrip, testing::ValuesIn(kAwkwardStrings),
                         printable_name);

struct QuotingCase {
  std::string value;
  std::string expected_yaml;  // emit({"k": value})
};

void PrintTo(const QuotingCase& c, std::ostream* os) { *os << json(c.value).dump(); }

class EmitQuoting : public testing::TestWithParam<QuotingCase> {};

TEST_P(EmitQuoting, WritesExpectedText) {
  EXPECT_EQ(emit(json{{"k", GetParam().value}}), GetParam().expected_yaml);
}

INSTANTIATE_TEST_SUITE_P(
    Table, EmitQuoting,
    testing::Values(
        // would read as another type under YAML 1.2 or 1.1: quoted
        QuotingCase{"true", "k: \"true\"\n"}, QuotingCase{"yes", "k: \"yes\"\n"},
        QuotingCase{"off", "k: \"off\"\n"}, QuotingCase{"123", "k: \"123\"\n"},
        QuotingCase{"1.0", "k: \"1.0\"\n"}, QuotingCase{"null", "k: \"null\"\n"},
        QuotingCase{"", "k: \"\"\n"}, QuotingCase{"12:30", "k: \"12:30\"\n"},
        // syntax: quoted
        QuotingCase{" x", "k: \" x\"\n"}, QuotingCase{"a: b", "k: \"a: b\"\n"},
        QuotingCase{"a #b", "k: \"a #b\"\n"}, QuotingCase{"#x", "k: \"#x\"\n"},
        QuotingCase{"say \"hi\"\t", "k: \"say \\\"hi\\\"\\t\"\n"},
        QuotingCase{"\x01", "k: \"\\x01\"\n"},
        // plain where that is safe
        QuotingCase{"hello", "k: hello\n"}, QuotingCase{"10.0.0.1", "k: 10.0.0.1\n"},
        QuotingCase{"-foo", "k: -foo\n"}, QuotingCase{"a:b", "k: a:b\n"},
        QuotingCase{"https://x:6443", "k: https://x:6443\n"},
        QuotingCase{"foo bar", "k: foo bar\n"},
        // multi-line: literal block with the right chomping, else double-quoted
        QuotingCase{"a\nb\n", "k: |\n  a\n  b\n"}, QuotingCase{"a\nb", "k: |-\n  a\n  b\n"},
        QuotingCase{"a\n\nb\n\n", "k: |+\n  a\n\n  b\n\n"},
        QuotingCase{" a\nb\n", "k: \" a\\nb\\n\"\n"}));

TEST(Emit, NumbersBooleansNullAndEmptyContainers) {
  json doc = {{"i", -3},
              {"u", std::numeric_limits<std::uint64_t>::max()},
              {"min", std::numeric_limits<std::int64_t>::min()},
              {"f", 1.0},
              {"big", 1e100},
              {"small", 0.1},
              {"t", true},
              {"n", nullptr},
              {"m", json::object()},
              {"a", json::array()}};
  std::string text = emit(doc);
  EXPECT_EQ(text,
            "a: []\n"
            "big: 1.0e+100\n"
            "f: 1.0\n"
            "i: -3\n"
            "m: {}\n"
            "min: -9223372036854775808\n"
            "\"n\": null\n"
            "small: 0.1\n"
            "t: true\n"
            "u: 18446744073709551615\n");
  json back = parse_ok(text);
  EXPECT_EQ(back, doc);
  EXPECT_EQ(back.dump(), doc.dump());  // same types, not just equal numbers
}

TEST(Emit, InfinityAndNanUseYamlSpelling) {
  json doc = {{"a", std::numeric_limits<double>::infinity()},
              {"b", -std::numeric_limits<double>::infinity()},
              {"c", std::numeric_limits<double>::quiet_NaN()}};
  EXPECT_EQ(emit(doc), "a: .inf\nb: -.inf\nc: .nan\n");
}

TEST(Emit, NestedBlockLayout) {
  json doc = json::parse(R"({"a": {"b": [1, {"c": "d", "e": [2, 3]}, [4, 5], []]}})");
  EXPECT_EQ(emit(doc),
            "a:\n"
            "  b:\n"
            "    - 1\n"
            "    - c: d\n"
            "      e:\n"
            "        - 2\n"
            "        - 3\n"
            "    - - 4\n"
            "      - 5\n"
            "    - []\n");
  EXPECT_EQ(parse_ok(emit(doc)), doc);
}

TEST(Emit, TopLevelScalarsAndEmptyContainers) {
  EXPECT_EQ(emit(json(5)), "5\n");
  EXPECT_EQ(emit(json("x")), "x\n");
  EXPECT_EQ(emit(json::object()), "{}\n");
  EXPECT_EQ(emit(json::array()), "[]\n");
  EXPECT_EQ(parse_ok(emit(json::array())), json::array());
}

TEST(Emit, KeysComeOutSorted) {
  json doc = parse_ok("zeta: 1\nalpha: 2\nmid: 3\n");
  EXPECT_EQ(emit(doc), "alpha: 2\nmid: 3\nzeta: 1\n");
}

// ---- multi-document streams ----

TEST(Streams, SplitsDocuments) {
  auto docs = parse_all_ok("a: 1\n---\nb: 2\n");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0], json({{"a", 1}}));
  EXPECT_EQ(docs[1], json({{"b", 2}}));
}

TEST(Streams, DropsEmptyAndNullDocuments) {
  auto docs = parse_all_ok(
      "---\n"
      "a: 1\n"
      "---\n"
      "---\n"
      "# only a comment\n"
      "---\n"
      "null\n"
      "---\n"
      "b: 2\n"
      "...\n"
      "---\n");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0], json({{"a", 1}}));
  EXPECT_EQ(docs[1], json({{"b", 2}}));
}

TEST(Streams, EmptyText) {
  EXPECT_TRUE(parse_all_ok("").empty());
  EXPECT_TRUE(parse_all_ok("# nothing\n").empty());
  EXPECT_EQ(parse_ok(""), json(nullptr));
}

TEST(Streams, ParseRejectsMoreThanOneDocument) {
  auto doc = parse("a: 1\n---\nb: 2\n");
  ASSERT_FALSE(doc.has_value());
  EXPECT_THAT(doc.error().message(), HasSubstr("expected one YAML document, found 2"));
  // a trailing separator is not a second document
  EXPECT_EQ(parse_ok("a: 1\n---\n"), json({{"a", 1}}));
}

TEST(Streams, EmitAllRoundTrips) {
  std::vector<json> docs = {json{{"a", 1}}, json{{"s", "---"}}, json::array({"x"}), json("text")};
  std::string text = emit_all(docs);
  EXPECT_EQ(text, "a: 1\n---\ns: \"---\"\n---\n- x\n---\ntext\n");
  EXPECT_EQ(parse_all_ok(text), docs);
  EXPECT_EQ(emit_all({}), "");
}

// ---- realistic documents ----

constexpr const char* kTalosConfig = R"(version: v1alpha1
debug: false
persist: true
machine:
  type: controlplane
  token: 7xk2p1.4xqz9a8b7c6d5e4f
  ca:
    crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
    key: LS0tLS1CRUdJTiBFRDI1NTE5IFBSSVZBVEUgS0VZLS0tLS0=
  certSANs:
    - 10.5.0.2
    - cp.example.com
  kubelet:
    image: ghcr.io/siderolabs/kubelet:v1.29.1
    defaultRuntimeSeccompProfileEnabled: true
    extraArgs:
      rotate-server-certificates: "true"
      node-labels: "metal.sidero.dev/uuid=4c4c4544-0039-3010-8048-b7c04f384432"
      max-pods: "250"
  network:
    hostname: cp-1
    nameservers:
      - 1.1.1.1
      - 8.8.8.8
    interfaces:
      - interface: eth0
        dhcp: true
        mtu: 9000
        vip:
          ip: 10.5.0.10
  install:
    disk: /dev/sda
    image: ghcr.io/siderolabs/installer:v1.6.4
    wipe: false
    extraKernelArgs:
      - console=ttyS0,115200n8
      - talos.platform=metal
  files:
    - content: |
        [plugins."io.containerd.grpc.v1.cri"]
          enable_unprivileged_ports = true
      path: /etc/cri/conf.d/20-customization.part
      op: create
      permissions: 0644
  sysctls:
    net.core.somaxconn: "65535"
    vm.nr_hugepages: "0"
cluster:
  id: aGVsbG8td29ybGQ=
  secret: c2VjcmV0
  controlPlane:
    endpoint: https://10.5.0.10:6443
  clusterName: ferrum-lab
  network:
    dnsDomain: cluster.local
    podSubnets:
      - 10.244.0.0/16
    serviceSubnets:
      - 10.96.0.0/12
  apiServer:
    certSANs:
      - 10.5.0.10
    admissionControl: []
  etcd:
    advertisedSubnets: ~
  allowSchedulingOnControlPlanes: no
)";

TEST(RealisticDocuments, TalosMachineConfigRoundTrips) {
  json config = parse_ok(kTalosConfig);
  EXPECT_EQ(config["version"], "v1alpha1");
  EXPECT_EQ(config["machine"]["install"]["wipe"], false);
  EXPECT_EQ(config["machine"]["kubelet"]["extraArgs"]["rotate-server-certificates"], "true");
  EXPECT_EQ(config["machine"]["kubelet"]["extraArgs"]["max-pods"], "250");
  EXPECT_EQ(config["machine"]["network"]["interfaces"][0]["mtu"], 9000);
  EXPECT_EQ(config["machine"]["files"][0]["permissions"], 420);
  EXPECT_EQ(config["machine"]["files"][0]["content"],
            "[plugins.\"io.containerd.grpc.v1.cri\"]\n  enable_unprivileged_ports = true\n");
  EXPECT_EQ(config["machine"]["certSANs"], json::array({"10.5.0.2", "cp.example.com"}));
  EXPECT_EQ(config["cluster"]["etcd"]["advertisedSubnets"], nullptr);
  EXPECT_EQ(config["cluster"]["allowSchedulingOnControlPlanes"], "no");

  std::string text = emit(config);
  EXPECT_THAT(text, HasSubstr("rotate-server-certificates: \"true\"\n"));
  EXPECT_THAT(text, HasSubstr("allowSchedulingOnControlPlanes: \"no\"\n"));
  EXPECT_THAT(text, HasSubstr("    - content: |\n"));
  EXPECT_EQ(parse_ok(text), config) << text;
  EXPECT_EQ(emit(parse_ok(text)), text);  // a fixed point after one pass
}

constexpr const char* kServerManifest = R"(apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata:
  name: 4c4c4544-0039-3010-8048-b7c04f384432
  labels:
    rack: "12"
    zone: eu-1a
  annotations:
    example.com/managed-by: "yes"
    example.com/unknown-future-field: '{"a": 1}'
  finalizers:
    - storage.finalizers.server.k8s.io
spec:
  accepted: true
  cordoned: false
  hostname: node-17
  bootFromDiskMethod: ipxe-exit
  configPatches:
    - op: replace
      path: /machine/install/disk
      value: /dev/nvme0n1
  strategicPatches:
    - |
      machine:
        network:
          hostname: node-17
  bmc:
    endpoint: 10.0.0.17
    port: 623
    user: admin
  hardware:
    system:
      uuid: 4c4c4544-0039-3010-8048-b7c04f384432
      manufacturer: Dell Inc.
      serialNumber: "0000123"
    compute:
      totalCoreCount: 32
      processors:
        - manufacturer: Intel
          speed: 2400
  futureSpecField:
    nested: [1, 2.5, "three", null, true]
status:
  ready: true
  power: "on"
  isClean: false
  addresses:
    - type: InternalIP
      address: 10.0.0.117
)";

TEST(RealisticDocuments, KubernetesManifestWithUnknownFieldsRoundTrips) {
  json server = parse_ok(kServerManifest);
  EXPECT_EQ(server["metadata"]["labels"]["rack"], "12");
  EXPECT_EQ(server["metadata"]["annotations"]["example.com/managed-by"], "yes");
  EXPECT_EQ(server["spec"]["bmc"]["port"], 623);
  EXPECT_EQ(server["spec"]["hardware"]["system"]["serialNumber"], "0000123");
  EXPECT_EQ(server["spec"]["futureSpecField"]["nested"],
            json::parse(R"([1, 2.5, "three", null, true])"));
  EXPECT_EQ(server["status"]["power"], "on");

  std::string text = emit(server);
  EXPECT_THAT(text, HasSubstr("power: \"on\"\n"));
  EXPECT_THAT(text, HasSubstr("serialNumber: \"0000123\"\n"));
  EXPECT_EQ(parse_ok(text), server) << text;
}

TEST(RealisticDocuments, MultiDocumentTalosConfigRoundTrips) {
  std::string stream = std::string(kTalosConfig) +
                       "---\n"
                       "apiVersion: v1alpha1\n"
                       "kind: SideroLinkConfig\n"
                       "apiUrl: https://10.5.0.1:8099?jointoken=secret\n"
                       "---\n"
                       "apiVersion: v1alpha1\n"
                       "kind: KmsgLogConfig\n"
                       "name: remote-log\n"
                       "url: tcp://[fdae:41e4:649b:9303::1]:4001\n";
  auto docs = parse_all_ok(stream);
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[2]["url"], "tcp://[fdae:41e4:649b:9303::1]:4001");
  EXPECT_EQ(parse_all_ok(emit_all(docs)), docs);
}

// ---- errors ----

struct ErrorCase {
  const char* yaml;
  const char* expected;  // substring of the message
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << json(c.yaml).dump(); }

class ParseErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(ParseErrors, NameLineAndColumn) {
  auto docs = parse_all(GetParam().yaml);
  ASSERT_FALSE(docs.has_value()) << GetParam().yaml;
  EXPECT_THAT(docs.error().message(), HasSubstr(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseErrors,
    testing::Values(
        ErrorCase{"a: 1\nb: [1,\nc: 2\n", "line 4, column 1: end of sequence flow not found"},
        ErrorCase{"machine:\n  install:\n    disk: /dev/sda\n   wipe: true\n",
                  "line 4, column 4: end of map not found"},
        ErrorCase{"a:\n\tb: 1\n", "line 2, column 3: illegal map value"},
        ErrorCase{"a: {b: 1\n", "line 2, column 1: end of map flow not found"},
        ErrorCase{"a: 1\nb: 2\na: 3\n", "line 3, column 1: duplicate key \"a\""},
        ErrorCase{"ok: 1\n---\nv: !!int abc\n", "line 3, column 4: \"abc\" is not a valid !!int"},
        ErrorCase{"? [a, b]\n: c\n", "line 1, column 3: mapping key must be a scalar"}));

TEST(ParseErrors, PositionIsOneBasedAndStructured) {
  auto doc = parse("a: 1\nb: [\n");
  ASSERT_FALSE(doc.has_value());
  EXPECT_GE(doc.error().line, 2u);
  EXPECT_GE(doc.error().column, 1u);
  EXPECT_FALSE(doc.error().reason.empty());
  EXPECT_EQ(doc.error().message().rfind("line ", 0), 0u);
}

TEST(ParseErrors, AliasExpansionIsBounded) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char level = 'b'; level <= 'h'; ++level) {
    std::string prev(1, static_cast<char>(level - 1));
    bomb += std::string(1, level) + ": &" + level + " [";
    for (int i = 0; i < 10; ++i) bomb += (i ? ", *" : "*") + prev;
    bomb += "]\n";
  }
  auto doc = parse(bomb);
  ASSERT_FALSE(doc.has_value());
  EXPECT_THAT(doc.error().reason, HasSubstr("more than 1000000 nodes"));
}

TEST(ParseErrors, DeepNestingFailsInsteadOfCrashing) {
  std::string deep = "v: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  EXPECT_FALSE(parse(deep).has_value());
}

TEST(ParseErrors, DeepNestingOfEveryKindIsAnErrorWithItsLimit) {
  const std::size_t n = 100'000;
  std::string block_seq;  // "- - - - x": two bytes a level
  for (std::size_t i = 0; i < n; ++i) block_seq += "- ";
  block_seq += "x\n";
  std::string flow_maps;
  for (std::size_t i = 0; i < n; ++i) flow_maps += "{a: ";
  flow_maps += "1" + std::string(n, '}');
  std::string block_maps;  // indentation-nested maps, just past the limit
  for (std::size_t i = 0; i <= kMaxDepth + 1; ++i) block_maps += std::string(i, ' ') + "a:\n";
  for (const auto& text : {block_seq, flow_maps, block_maps}) {
    auto doc = parse(text);
    ASSERT_FALSE(doc.has_value()) << text.substr(0, 40);
    EXPECT_FALSE(doc.error().reason.empty());
  }
  EXPECT_THAT(parse(block_maps).error().reason, HasSubstr("nesting deeper than 256 levels"));
  // At the limit it parses.
  std::string at_limit = std::string(kMaxDepth, '[') + std::string(kMaxDepth, ']');
  EXPECT_TRUE(parse(at_limit).has_value());
}

// Found by tests/fuzz yaml_fuzz: yaml-cpp's LoadAll looped forever on these 67 bytes,
// collecting empty documents until memory ran out.
TEST(ParseErrors, StreamThatStopsTheParserMakingProgressIsAnError) {
  const std::string text = R"(, data": {"ab": "dg=="}{"apiVersion": "v1", data": {ion": "dg=="}]})";
  auto docs = parse_all(text);
  ASSERT_FALSE(docs.has_value());
  EXPECT_THAT(docs.error().reason, HasSubstr("stopped making progress"));
  // Streams of many documents, empty ones included, still parse.
  auto many = parse_all("a: 1\n---\n---\nb: 2\n---\n");
  ASSERT_TRUE(many.has_value()) << many.error().message();
  EXPECT_EQ(many->size(), 2u);
}

// go-yaml refuses bytes that are not UTF-8 (readerc.go); yaml-cpp would pass them into
// strings that no JSON serialiser accepts.
TEST(ParseErrors, InvalidUtf8IsAnErrorWithItsPosition) {
  auto doc = parse(
      "a: 1\nname: ab\xFF"
      "cd\n");
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().line, 2u);
  EXPECT_EQ(doc.error().column, 9u);
  EXPECT_EQ(doc.error().message(), "line 2, column 9: invalid UTF-8 (byte 0xFF)");
  EXPECT_FALSE(parse_all("caf\xC3\xA9: \xC0\xAF\n").has_value());  // overlong '/'
  EXPECT_EQ(parse_ok("caf\xC3\xA9: ok\n"), json({{"caf\xC3\xA9", "ok"}}));
}

// go-yaml refuses control characters (readerc.go: "control characters are not allowed"); a NUL
// made yaml-cpp guess UTF-32 and decode garbage that no longer emitted as UTF-8 (yaml_fuzz).
// yaml-cpp decodes \N and \_ into lone bytes; they come out as U+0085 and U+00A0 (yaml_fuzz).
TEST(Parse, NelAndNbspEscapesAreUtf8) {
  EXPECT_EQ(parse_ok("a: \"x\\Ny\\_z\"\n\"k\\N\": v\n"),
            json({{"a", "x\xC2\x85y\xC2\xA0z"}, {"k\xC2\x85", "v"}}));
}

TEST(ParseErrors, ControlCharactersAreAnErrorWithTheirPosition) {
  auto doc = parse(std::string("=\0\0\0iVersion: v1\n", 17));
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().message(), "line 1, column 2: control characters are not allowed (byte 0x00)");
  EXPECT_FALSE(parse("a: b\x01c\n").has_value());
  EXPECT_FALSE(parse("a: b\x7F\n").has_value());
  EXPECT_FALSE(parse("a: b\xC2\x80\n").has_value());  // C1
  // Tab and CR LF are allowed; escaped controls in double quotes are not raw bytes.
  EXPECT_EQ(parse_ok("a: x\ty\r\nc: \"x\\0y\"\n"),
            json({{"a", "x\ty"}, {"c", std::string("x\0y", 3)}}));
}

}  // namespace
}  // namespace ferrum::yaml
