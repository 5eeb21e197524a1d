#include "table.hpp"

#include <gtest/gtest.h>

#include "crd_fixtures.hpp"
#include "resource_catalog.hpp"

namespace ferrum::apiserver {
namespace {

using std::chrono::seconds;
using std::chrono::sys_days;
using namespace std::chrono_literals;

// 2024-05-01T13:25:00Z
const std::chrono::system_clock::time_point kNow =
    sys_days(std::chrono::year(2024) / 5 / 1) + 13h + 25min;

TableOptions at_now(IncludeObject include = IncludeObject::kMetadata, std::string rv = "",
                    std::string cont = "") {
  TableOptions o;
  o.include = include;
  o.resource_version = std::move(rv);
  o.continue_token = std::move(cont);
  o.now = kNow;
  return o;
}

ResourceType crd_type(const std::string& stem) {
  auto t = resource_from_crd(testing::load_crd(stem));
  if (!t) throw std::runtime_error(t.error());
  return *t;
}

json full_server() {
  return json::parse(R"({
    "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server",
    "metadata": {"name": "4c4c4544-0035-3010-8030-c4c04f4a4633", "resourceVersion": "17",
                 "creationTimestamp": "2024-05-01T10:00:00Z", "labels": {"rack": "r1"}},
    "spec": {"hostname": "node-1", "accepted": true, "cordoned": false,
             "bmc": {"endpoint": "10.0.0.5", "port": 623}},
    "status": {"inUse": false, "isClean": true, "power": "on"}})");
}

json sparse_server() {
  return json::parse(R"({
    "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server",
    "metadata": {"name": "00000000-0000-0000-0000-000000000002",
                 "creationTimestamp": "2024-05-01T13:20:00Z"},
    "spec": {"accepted": false}})");
}

TEST(Table, ColumnDefinitionsAreSiderosServerColumns) {
  auto type = crd_type("metal.sidero.dev_servers");
  auto t = render_table(type, *type.version("v1alpha2"), {}, at_now());
  EXPECT_EQ(t["kind"], "Table");
  EXPECT_EQ(t["apiVersion"], "meta.k8s.io/v1");
  std::vector<std::string> names;
  for (const auto& c : t["columnDefinitions"]) names.push_back(c["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"Name", "Hostname", "BMC IP", "Accepted", "Cordoned",
                                             "Allocated", "Clean", "Power", "Age"}));
  const auto& defs = t["columnDefinitions"];
  EXPECT_EQ(defs[0]["format"], "name");
  EXPECT_EQ(defs[0]["type"], "string");
  for (const auto& d : defs) {
    // kubectl reads all five keys; the real server always sends them.
    for (const char* key : {"name", "type", "format", "description", "priority"}) {
      EXPECT_TRUE(d.contains(key)) << d.dump() << " lacks " << key;
    }
    EXPECT_EQ(d["priority"], d["name"] == "BMC IP" ? 1 : 0) << d["name"];
  }
  EXPECT_EQ(defs[3]["type"], "boolean");
  EXPECT_EQ(defs[8]["type"], "date");
  EXPECT_EQ(defs[1]["description"], "server hostname");
  EXPECT_TRUE(t["rows"].is_array());
  EXPECT_TRUE(t["rows"].empty());
}

TEST(Table, ServerRowsHaveTypedCellsAndNullForMissing) {
  auto type = crd_type("metal.sidero.dev_servers");
  // Both served versions carry the same columns.
  for (const char* v : {"v1alpha1", "v1alpha2"}) {
    auto t = render_table(type, *type.version(v), {full_server(), sparse_server()}, at_now());
    ASSERT_EQ(t["rows"].size(), 2u);
    EXPECT_EQ(t["rows"][0]["cells"],
              json::parse(R"(["4c4c4544-0035-3010-8030-c4c04f4a4633", "node-1", "10.0.0.5",
                             true, false, false, true, "on", "3h25m"])"))
        << v;
    EXPECT_EQ(t["rows"][1]["cells"],
              json::parse(R"(["00000000-0000-0000-0000-000000000002", null, null, false, null,
                             null, null, null, "5m"])"))
        << v;
    EXPECT_TRUE(t["rows"][0]["cells"][3].is_boolean());
  }
}

TEST(Table, IncludeObjectNoneMetadataObject) {
  auto type = crd_type("metal.sidero.dev_servers");
  const auto& v = *type.version("v1alpha2");
  auto server = full_server();

  auto meta = render_table(type, v, {server}, at_now());  // Metadata is the default
  const auto& pom = meta["rows"][0]["object"];
  EXPECT_EQ(pom["kind"], "PartialObjectMetadata");
  EXPECT_EQ(pom["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(pom["metadata"], server["metadata"]);
  EXPECT_FALSE(pom.contains("spec"));

  auto whole = render_table(type, v, {server}, at_now(IncludeObject::kObject));
  EXPECT_EQ(whole["rows"][0]["object"], server);

  auto none = render_table(type, v, {server}, at_now(IncludeObject::kNone));
  EXPECT_FALSE(none["rows"][0].contains("object"));
  EXPECT_EQ(none["rows"][0]["cells"], whole["rows"][0]["cells"]);
}

TEST(Table, ListMetadataCarriesResourceVersionAndContinue) {
  auto type = crd_type("metal.sidero.dev_servers");
  const auto& v = *type.version("v1alpha2");
  auto t = render_table(type, v, {full_server()}, at_now(IncludeObject::kMetadata, "42", "abc"));
  EXPECT_EQ(t["metadata"], json::parse(R"({"resourceVersion": "42", "continue": "abc"})"));
  auto bare = render_table(type, v, {}, at_now());
  EXPECT_EQ(bare["metadata"], json::object());
}

TEST(Table, VersionWithoutColumnsShowsNameAndAge) {
  ResourceType type;
  type.group = "example.dev";
  type.plural = "widgets";
  type.kind = "Widget";
  ResourceVersion v;
  v.name = "v1";
  v.storage = true;
  type.versions.push_back(v);
  json obj = {{"metadata", {{"name", "w1"}, {"creationTimestamp", "2024-04-29T13:25:00Z"}}}};
  auto t = render_table(type, type.versions[0], {obj}, at_now());
  ASSERT_EQ(t["columnDefinitions"].size(), 2u);
  EXPECT_EQ(t["columnDefinitions"][0]["name"], "Name");
  EXPECT_EQ(t["columnDefinitions"][1]["name"], "Age");
  EXPECT_EQ(t["columnDefinitions"][1]["type"], "date");
  EXPECT_EQ(t["rows"][0]["cells"], json::parse(R"(["w1", "2d"])"));

  // Built-ins (no printer columns in the catalog) get the same.
  auto catalog = Catalog::builtins();
  const auto* secrets = catalog->find("", "secrets");
  ASSERT_NE(secrets, nullptr);
  auto s = render_table(*secrets, secrets->versions[0], {obj}, at_now());
  EXPECT_EQ(s["rows"][0]["cells"], json::parse(R"(["w1", "2d"])"));
}

TEST(Table, DateCells) {
  ResourceType type;
  ResourceVersion v;
  v.columns.push_back({"When", "date", "", "", ".t", 0});
  auto when = [&](json value) {
    json obj = {{"metadata", {{"name", "x"}}}, {"t", value}};
    return render_table(type, v, {obj}, at_now())["rows"][0]["cells"][1];
  };
  EXPECT_EQ(when("2024-05-01T13:24:00Z"), "60s");
  EXPECT_EQ(when("2024-05-01T13:24:59.999Z"), "0s");  // truncated, not rounded
  EXPECT_EQ(when("2024-05-01T15:20:00+02:00"), "5m");
  EXPECT_EQ(when("2024-05-01T08:20:00-05:00"), "5m");
  EXPECT_EQ(when("2024-05-01T13:25:01Z"), "0s");  // a second of skew
  EXPECT_EQ(when("2024-05-01T13:26:00Z"), "<invalid>");
  EXPECT_EQ(when("yesterday"), "<invalid>");
  EXPECT_EQ(when("2024-02-30T00:00:00Z"), "<invalid>");
  EXPECT_EQ(when("0001-01-01T00:00:00Z"), "<unknown>");
  EXPECT_EQ(when(""), "<unknown>");
  EXPECT_EQ(when(12), nullptr);
  EXPECT_EQ(when(nullptr), nullptr);
}

TEST(Table, CellsFollowColumnType) {
  ResourceType type;
  ResourceVersion v;
  v.columns = {{"S", "string", "", "", ".v", 0},
               {"I", "integer", "", "", ".v", 0},
               {"N", "number", "", "", ".v", 0},
               {"B", "boolean", "", "", ".v", 0}};
  auto cells = [&](json value) {
    json obj = {{"metadata", {{"name", "x"}}}, {"v", value}};
    auto c = render_table(type, v, {obj}, at_now())["rows"][0]["cells"];
    c.erase(0);
    return c;
  };
  EXPECT_EQ(cells("text"), json::parse(R"(["text", null, null, null])"));
  EXPECT_EQ(cells(7), json::parse(R"(["7", 7, 7.0, null])"));
  EXPECT_EQ(cells(2.9), json::parse(R"(["2.9", 2, 2.9, null])"));
  EXPECT_EQ(cells(true), json::parse(R"(["true", null, null, true])"));
  EXPECT_EQ(cells(json::parse(R"(["a","b"])")),
            json::parse(R"(["[\"a\",\"b\"]", null, null, null])"));
  EXPECT_EQ(cells(json::parse(R"({"b":1,"a":2})")),
            json::parse(R"(["{\"a\":2,\"b\":1}", null, null, null])"));
  EXPECT_EQ(cells(nullptr), json::parse(R"([null, null, null, null])"));
  EXPECT_TRUE(cells(7)[1].is_number_integer());
}

TEST(Table, RealCrdColumnsWithFiltersAndEscapedKeys) {
  auto env_type = crd_type("metal.sidero.dev_environments");
  json env =
      json::parse(R"({"metadata": {"name": "default", "creationTimestamp": "2024-05-01T13:00:00Z"},
    "spec": {"kernel": {"url": "http://k"}, "initrd": {"url": "http://i"}},
    "status": {"conditions": [{"type": "Other", "status": "False"},
                              {"type": "Ready", "status": "True"}]}})");
  auto t = render_table(env_type, *env_type.version("v1alpha2"), {env}, at_now());
  EXPECT_EQ(t["rows"][0]["cells"],
            json::parse(R"(["default", "http://k", "http://i", "True", "25m"])"));
  env["status"]["conditions"].erase(1);
  t = render_table(env_type, *env_type.version("v1alpha2"), {env}, at_now());
  EXPECT_EQ(t["rows"][0]["cells"][3], nullptr);

  auto sc_type = crd_type("metal.sidero.dev_serverclasses");
  json sc = json::parse(R"({"metadata": {"name": "any"},
    "status": {"serversAvailable": ["u1", "u2"], "serversInUse": []}})");
  t = render_table(sc_type, *sc_type.version("v1alpha2"), {sc}, at_now());
  EXPECT_EQ(t["rows"][0]["cells"], json::parse(R"(["any", "[\"u1\",\"u2\"]", "[]", null])"));

  auto mc_type = crd_type("infrastructure.cluster.x-k8s.io_metalclusters");
  json mc =
      json::parse(R"({"metadata": {"name": "mc", "labels": {"cluster.x-k8s.io/cluster-name": "c1"}},
    "status": {"ready": true}})");
  t = render_table(mc_type, mc_type.storage_version(), {mc}, at_now());
  ASSERT_GE(t["rows"][0]["cells"].size(), 3u);
  EXPECT_EQ(t["rows"][0]["cells"][1], "c1");
  EXPECT_EQ(t["rows"][0]["cells"][2], true);
}

TEST(JsonPath, Subset) {
  json obj = json::parse(R"({
    "a": {"b": "x", "n": null, "f": false, "dotted.key/x": 5},
    "list": [{"b": 1, "k": "p"}, {"b": 2, "k": "q"}, {"c": 3, "k": "p"}],
    "empty": [],
    "s": ["x", "y", "z"]})");
  struct Case {
    std::string path;
    std::optional<json> want;
  };
  const std::vector<Case> cases = {
      {".a.b", json("x")},
      {"{.a.b}", json("x")},
      {" { .a.b } ", json("x")},
      {".a", obj["a"]},
      {".", obj},
      {".a.n", json(nullptr)},  // present and null is a value, not nothing
      {".a.f", json(false)},
      {".a.dotted\\.key/x", json(5)},
      {".a['dotted.key/x']", json(5)},
      {".list[0].b", json(1)},
      {".list[-1].c", json(3)},
      {".list[*].b", json::parse("[1, 2]")},
      {".list[*].k", json::parse(R"(["p", "q", "p"])")},
      {".list[?(@.k==\"p\")].b", json::parse("[1]")},
      {".list[?(@.k=='p')].k", json::parse(R"(["p", "p"])")},
      {".list[?(@.k!=\"p\")].b", json::parse("[2]")},
      {".list[?(@.b>1)].k", json::parse(R"(["q"])")},
      {".list[?(@.c)].c", json::parse("[3]")},
      {".s[0:2]", json::parse(R"(["x", "y"])")},
      {".s[1:]", json::parse(R"(["y", "z"])")},
      {".s[*]", obj["s"]},
      {".a.*", json::parse(R"(["x", 5, false, null])")},  // object wildcard, key order
      {"$.a.b", json("x")},
      // Selects nothing:
      {".a.missing", std::nullopt},
      {".missing.b", std::nullopt},
      {".a.b.c", std::nullopt},
      {".list[3].b", std::nullopt},
      {".list[-4]", std::nullopt},
      {".a[0]", std::nullopt},
      {".empty[*].b", std::nullopt},
      {".list[*].nope", std::nullopt},
      {".list[?(@.k==\"r\")].b", std::nullopt},
      // Not in the subset, or malformed:
      {"a.b", std::nullopt},
      {"", std::nullopt},
      {"..b", std::nullopt},
      {".list[0", std::nullopt},
      {".list[0,1]", std::nullopt},
      {".a.", std::nullopt},
  };
  for (const auto& c : cases) {
    auto got = eval_jsonpath(obj, c.path);
    if (!c.want) {
      EXPECT_FALSE(got.has_value()) << c.path << " gave " << got->dump();
    } else {
      ASSERT_TRUE(got.has_value()) << c.path;
      EXPECT_EQ(*got, *c.want) << c.path;
    }
  }
}

TEST(HumanDuration, KubernetesBoundaries) {
  constexpr long long m = 60, h = 3600, d = 86400, y = 365 * d;
  const std::vector<std::pair<long long, std::string>> cases = {
      {-100, "<invalid>"},
      {-2, "<invalid>"},
      {-1, "0s"},
      {0, "0s"},
      {1, "1s"},
      {59, "59s"},
      {119, "119s"},
      {2 * m, "2m"},
      {2 * m + 1, "2m1s"},
      {9 * m + 59, "9m59s"},
      {10 * m, "10m"},
      {10 * m + 59, "10m"},
      {3 * h - 1, "179m"},
      {3 * h, "3h"},
      {3 * h + m, "3h1m"},
      {3 * h + 59, "3h"},
      {8 * h - 1, "7h59m"},
      {8 * h, "8h"},
      {8 * h + 59 * m, "8h"},
      {48 * h - 1, "47h"},
      {48 * h, "2d"},
      {49 * h, "2d1h"},
      {8 * d - 1, "7d23h"},
      {8 * d, "8d"},
      {2 * y - 1, "729d"},
      {2 * y, "2y"},
      {2 * y + d, "2y1d"},
      {8 * y - 1, "7y364d"},
      {8 * y, "8y"},
      {100 * y + 200 * d, "100y"},
  };
  for (const auto& [secs, want] : cases) {
    EXPECT_EQ(human_duration(seconds(secs)), want) << secs << "s";
  }
}

}  // namespace
}  // namespace ferrum::apiserver
