// The /configdata service without sockets: real informer caches (ObjectStore) filled with
// objects, a Secret reader that counts its calls, the real renderer behind it.
#include "configdata_service.hpp"

#include <gtest/gtest.h>

#include "ferrum/base64.hpp"
#include "ferrum/model/secret.hpp"
#include "settings.hpp"

namespace ferrum::metadata {
namespace {

using nlohmann::json;

constexpr const char* kUuid = "4c4c4544-0039-3010-8048-b7c04f565931";
constexpr const char* kConfig =
    "version: v1alpha1\nmachine:\n  type: worker\n  install:\n    disk: /dev/sda\n";

kube::ObjectPtr ptr(json j) { return std::make_shared<const json>(std::move(j)); }

json meta(const std::string& name, const std::string& ns, const std::string& rv) {
  json m{{"name", name}, {"uid", "uid-" + name}, {"resourceVersion", rv}};
  if (!ns.empty()) m["namespace"] = ns;
  return m;
}

json secret(const std::string& name, const std::string& rv, const std::string& value) {
  model::Secret s = model::Secret::make("default", name);
  s.set_value("value", value);
  s.raw()["metadata"]["resourceVersion"] = rv;
  s.raw()["metadata"]["uid"] = "uid-" + name;
  return s.raw();
}

class ServiceTest : public ::testing::Test {
 public:  // the table in EveryMissingLinkIsA404NamingIt edits the caches through lambdas
  void SetUp() override {
    bindings_.upsert(kUuid, ptr({{"metadata", meta(kUuid, "", "1")},
                                 {"spec",
                                  {{"metalMachineRef", {{"namespace", "default"}, {"name", "mm1"}}},
                                   {"serverClassRef", {{"name", "workers"}}}}}}));
    metal_machines_.upsert("default/mm1", ptr({{"metadata",
                                                {{"name", "mm1"},
                                                 {"namespace", "default"},
                                                 {"uid", "uid-mm1"},
                                                 {"resourceVersion", "2"},
                                                 {"ownerReferences",
                                                  {{{"apiVersion", "cluster.x-k8s.io/v1beta1"},
                                                    {"kind", "Machine"},
                                                    {"name", "m1"},
                                                    {"uid", "uid-m1"}}}}}}}));
    machines_.upsert("default/m1",
                     ptr({{"metadata", meta("m1", "default", "3")},
                          {"spec", {{"bootstrap", {{"dataSecretName", "m1-bootstrap"}}}}}}));
    servers_.upsert(kUuid, ptr({{"metadata", meta(kUuid, "", "4")},
                                {"spec",
                                 {{"configPatches",
                                   {{{"op", "replace"},
                                     {"path", "/machine/install/disk"},
                                     {"value", "/dev/vdb"}}}}}}}));
    classes_.upsert("workers",
                    ptr({{"metadata", meta("workers", "", "5")}, {"spec", json::object()}}));
    api_secrets_["default/m1-bootstrap"] = secret("m1-bootstrap", "6", kConfig);
  }

  InputStores stores(bool cache_secrets) {
    InputStores s{&bindings_, &metal_machines_, &machines_, &servers_, &classes_, nullptr};
    if (cache_secrets) s.bootstrap_secrets = &secret_cache_;
    return s;
  }

  SecretFetcher fetcher() {
    return [this](const std::string& ns, const std::string& name) -> kube::Result<json> {
      ++secret_reads_;
      auto it = api_secrets_.find(ns + "/" + name);
      if (it == api_secrets_.end())
        return unexpected(kube::Error{404, "NotFound", "secrets \"" + name + "\" not found"});
      return it->second;
    };
  }

  std::unique_ptr<ConfigDataService> service(std::size_t cache_entries = 100,
                                             bool cache_secrets = false) {
    return std::make_unique<ConfigDataService>(
        ServiceSettings{cache_entries, 16}, stores(cache_secrets), fetcher(), link_,
        [this] { return ready_; }, registry_, log_);
  }

  kube::ObjectStore bindings_, metal_machines_, machines_, servers_, classes_, secret_cache_,
      link_secrets_;
  std::map<std::string, json> api_secrets_;
  int secret_reads_ = 0;
  bool ready_ = true;
  metrics::Registry registry_;
  log::Logger log_{std::make_shared<log::Output>(log::Format::kJson, log::Level::kError), "test"};
  LinkSource link_{"", nullptr, "", 4002, 4001, log_};
};

TEST_F(ServiceTest, ServesTheRenderedConfig) {
  auto svc = service();
  auto a = svc->answer(std::string("uuid=") + kUuid);
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.content_type, "application/yaml");
  EXPECT_NE(a.body->find("disk: /dev/vdb"), std::string::npos) << *a.body;
  EXPECT_NE(a.body->find(std::string("node-labels: metal.sidero.dev/uuid=") + kUuid),
            std::string::npos)
      << *a.body;
  EXPECT_EQ(secret_reads_, 1);
}

TEST_F(ServiceTest, EveryMissingLinkIsA404NamingIt) {
  struct Case {
    const char* what;
    std::function<void(ServiceTest&)> breakit;
    unsigned status;
    const char* message;
  };
  const Case cases[] = {
      {"binding", [](ServiceTest& t) { t.bindings_.erase(kUuid); }, 404,
       "server 4c4c4544-0039-3010-8048-b7c04f565931 is not allocated (no ServerBinding)"},
      {"metal machine", [](ServiceTest& t) { t.metal_machines_.erase("default/mm1"); }, 404,
       "MetalMachine default/mm1 (spec.metalMachineRef of ServerBinding "
       "4c4c4544-0039-3010-8048-b7c04f565931) not "
       "found"},
      {"owner",
       [](ServiceTest& t) {
         t.metal_machines_.upsert("default/mm1", ptr({{"metadata", meta("mm1", "default", "9")}}));
       },
       404, "MetalMachine default/mm1 has no owner Machine"},
      {"machine", [](ServiceTest& t) { t.machines_.erase("default/m1"); }, 404,
       "Machine default/m1 (owner of MetalMachine default/mm1) not found"},
      {"data secret name",
       [](ServiceTest& t) {
         t.machines_.upsert("default/m1", ptr({{"metadata", meta("m1", "default", "9")}}));
       },
       404, "Machine default/m1 has no spec.bootstrap.dataSecretName"},
      {"server", [](ServiceTest& t) { t.servers_.erase(kUuid); }, 404,
       "Server 4c4c4544-0039-3010-8048-b7c04f565931 not found"},
      {"class", [](ServiceTest& t) { t.classes_.erase("workers"); }, 404,
       "ServerClass workers (spec.serverClassRef"},
      {"secret", [](ServiceTest& t) { t.api_secrets_.clear(); }, 404,
       "bootstrap Secret default/m1-bootstrap (spec.bootstrap.dataSecretName of Machine "
       "default/m1) not found"},
      {"secret key",
       [](ServiceTest& t) {
         t.api_secrets_["default/m1-bootstrap"]["data"] = json{{"other", "eA=="}};
       },
       404, "bootstrap Secret default/m1-bootstrap has no key \"value\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    SetUp();  // upserts every object again, undoing the previous case
    c.breakit(*this);
    auto a = service(0)->answer(std::string("uuid=") + kUuid);
    EXPECT_EQ(a.status, c.status);
    EXPECT_NE(a.body->find(c.message), std::string::npos) << *a.body;
  }
}

TEST_F(ServiceTest, UnreachableApiIs503) {
  auto svc = std::make_unique<ConfigDataService>(
      ServiceSettings{0, 16}, stores(false),
      [](const std::string&, const std::string&) -> kube::Result<json> {
        return unexpected(kube::Error{0, "TransportError", "connection refused"});
      },
      link_, [] { return true; }, registry_, log_);
  auto a = svc->answer(std::string("uuid=") + kUuid);
  EXPECT_EQ(a.status, 503u);
  EXPECT_NE(a.body->find("cannot read bootstrap Secret default/m1-bootstrap"), std::string::npos)
      << *a.body;
}

TEST_F(ServiceTest, PatchFailureIs500NamingThePatch) {
  servers_.upsert(
      kUuid,
      ptr({{"metadata", meta(kUuid, "", "7")},
           {"spec",
            {{"configPatches",
              {{{"op", "replace"}, {"path", "/machine/network/hostname"}, {"value", "x"}}}}}}}));
  auto a = service()->answer(std::string("uuid=") + kUuid);
  EXPECT_EQ(a.status, 500u);
  EXPECT_NE(
      a.body->find(
          std::string("Server ") + kUuid +
          ": configPatches operation 0 (replace /machine/network/hostname): path /machine/network "
          "does not exist: add it with op add first"),
      std::string::npos)
      << *a.body;
  auto metrics = registry_.expose();
  EXPECT_NE(metrics.find("ferrum_metadata_patch_failures_total{source=\"Server\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("ferrum_metadata_requests_total{result=\"patch_failed\"} 1"),
            std::string::npos)
      << metrics;
}

TEST_F(ServiceTest, CacheIsReusedUntilAnyInputChanges) {
  auto svc = service(100, /*cache_secrets=*/true);
  secret_cache_.upsert("default/m1-bootstrap", ptr(secret("m1-bootstrap", "6", kConfig)));
  auto first = svc->answer(std::string("uuid=") + kUuid);
  auto second = svc->answer(std::string("uuid=") + kUuid);
  ASSERT_EQ(first.status, 200u);
  EXPECT_EQ(first.body, second.body) << "the second answer is the cached rendering itself";
  EXPECT_EQ(secret_reads_, 0) << "a cached Secret is never read from the API";

  // Each input in turn: a new resourceVersion with new content shows on the next request.
  servers_.upsert(
      kUuid,
      ptr({{"metadata", meta(kUuid, "", "40")},
           {"spec",
            {{"configPatches",
              {{{"op", "replace"}, {"path", "/machine/install/disk"}, {"value", "/dev/vdc"}}}}}}}));
  auto third = svc->answer(std::string("uuid=") + kUuid);
  EXPECT_NE(third.body->find("disk: /dev/vdc"), std::string::npos) << *third.body;

  classes_.upsert(
      "workers",
      ptr({{"metadata", meta("workers", "", "50")},
           {"spec", {{"strategicPatches", {"machine:\n  install:\n    wipe: true\n"}}}}}));
  auto fourth = svc->answer(std::string("uuid=") + kUuid);
  EXPECT_NE(fourth.body->find("wipe: true"), std::string::npos) << *fourth.body;

  secret_cache_.upsert(
      "default/m1-bootstrap",
      ptr(secret(
          "m1-bootstrap", "60",
          "version: v1alpha1\nmachine:\n  type: controlplane\n  install:\n    disk: /dev/sda\n")));
  auto fifth = svc->answer(std::string("uuid=") + kUuid);
  EXPECT_NE(fifth.body->find("type: controlplane"), std::string::npos) << *fifth.body;
  EXPECT_NE(registry_.expose().find("ferrum_metadata_render_cache_hits_total 1"),
            std::string::npos);
}

TEST_F(ServiceTest, ParsedConfigsFollowTheSecretWithTheRenderCacheOff) {
  auto svc = service(0, /*cache_secrets=*/true);
  secret_cache_.upsert("default/m1-bootstrap", ptr(secret("m1-bootstrap", "6", kConfig)));
  auto first = svc->answer(std::string("uuid=") + kUuid);
  ASSERT_EQ(first.status, 200u);
  EXPECT_EQ(*svc->answer(std::string("uuid=") + kUuid).body, *first.body);

  const std::string other =
      "version: v1alpha1\nmachine:\n  type: controlplane\n  install:\n    disk: /dev/sda\n";
  secret_cache_.upsert("default/m1-bootstrap", ptr(secret("m1-bootstrap", "60", other)));
  auto changed = svc->answer(std::string("uuid=") + kUuid);
  EXPECT_NE(changed.body->find("type: controlplane"), std::string::npos) << *changed.body;

  // Without uid and resourceVersion a Secret has no identity: its text decides.
  json anonymous = secret("m1-bootstrap", "", kConfig);
  anonymous["metadata"].erase("uid");
  anonymous["metadata"].erase("resourceVersion");
  secret_cache_.upsert("default/m1-bootstrap", ptr(anonymous));
  EXPECT_EQ(*svc->answer(std::string("uuid=") + kUuid).body, *first.body);
  anonymous["data"]["value"] = base64::encode(other);
  secret_cache_.upsert("default/m1-bootstrap", ptr(anonymous));
  EXPECT_EQ(*svc->answer(std::string("uuid=") + kUuid).body, *changed.body);
}

TEST_F(ServiceTest, UncachedSecretIsReadOncePerRequest) {
  auto svc = service(100, /*cache_secrets=*/true);  // the Secret is not in the cache
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(svc->answer(std::string("uuid=") + kUuid).status, 200u);
    EXPECT_EQ(secret_reads_, i);
  }
}

TEST_F(ServiceTest, NotReadyIs503) {
  ready_ = false;
  auto a = service()->answer(std::string("uuid=") + kUuid);
  EXPECT_EQ(a.status, 503u);
  EXPECT_EQ(secret_reads_, 0);
}

TEST_F(ServiceTest, LinkDocumentsFollowTheInstallationSecret) {
  // With the bootstrap Secret read from the API (cache hits compare fingerprints) and from the
  // Secret cache (hits compare the cached objects themselves).
  for (bool cached_secret : {false, true}) {
    SCOPED_TRACE(cached_secret ? "bootstrap Secret cached" : "bootstrap Secret from the API");
    link_secrets_.erase("ferrum-system/siderolink");
    if (cached_secret) {
      secret_cache_.upsert("default/m1-bootstrap", ptr(secret("m1-bootstrap", "6", kConfig)));
    }
    LinkSource link("grpc://10.5.0.1:50110", &link_secrets_, "ferrum-system/siderolink", 4002, 4001,
                    log_);
    ConfigDataService svc(
        ServiceSettings{100, 16}, stores(cached_secret), fetcher(), link, [] { return true; },
        registry_, log_);
    auto without = svc.answer(std::string("uuid=") + kUuid);
    EXPECT_EQ(without.body->find("SideroLinkConfig"), std::string::npos) << *without.body;

    model::Secret s = model::Secret::make("ferrum-system", "siderolink");
    s.set_value("installation-id", "abc");
    s.raw()["metadata"]["resourceVersion"] = "70";
    link_secrets_.upsert("ferrum-system/siderolink", ptr(s.raw()));
    auto with = svc.answer(std::string("uuid=") + kUuid);
    EXPECT_NE(with.body->find("apiUrl: grpc://10.5.0.1:50110"), std::string::npos) << *with.body;
    EXPECT_NE(with.body->find("endpoint: \"[fd03:61a3:9617:7a03::1]:4002\""), std::string::npos)
        << *with.body;
    EXPECT_NE(with.body->find("url: tcp://[fd03:61a3:9617:7a03::1]:4001"), std::string::npos)
        << *with.body;
    EXPECT_EQ(svc.answer(std::string("uuid=") + kUuid).body, with.body) << "a cache hit";

    s.set_value("installation-id", "another");
    s.raw()["metadata"]["resourceVersion"] = "71";
    link_secrets_.upsert("ferrum-system/siderolink", ptr(s.raw()));
    auto moved = svc.answer(std::string("uuid=") + kUuid);
    EXPECT_NE(*moved.body, *with.body) << "a new installation id is a new link address";
    EXPECT_EQ(moved.body->find("fd03:61a3:9617:7a03::1"), std::string::npos) << *moved.body;
  }
}

TEST_F(ServiceTest, ObjectsRecreatedUnchangedStillHitTheCache) {
  auto svc = service(100, /*cache_secrets=*/true);
  secret_cache_.upsert("default/m1-bootstrap", ptr(secret("m1-bootstrap", "6", kConfig)));
  auto first = svc->answer(std::string("uuid=") + kUuid);
  ASSERT_EQ(first.status, 200u);
  // A relist puts equal objects (same uid and resourceVersion) in new allocations.
  servers_.upsert(kUuid, ptr(json(*servers_.get(kUuid))));
  secret_cache_.upsert("default/m1-bootstrap",
                       ptr(json(*secret_cache_.get("default/m1-bootstrap"))));
  EXPECT_EQ(svc->answer(std::string("uuid=") + kUuid).body, first.body);
  EXPECT_EQ(svc->answer(std::string("uuid=") + kUuid).body, first.body);
  EXPECT_NE(registry_.expose().find("ferrum_metadata_render_cache_hits_total 2"),
            std::string::npos);
}

TEST(ParseUuidQuery, Table) {
  struct Case {
    const char* query;
    const char* want;  // nullptr: error containing `error`
    const char* error;
  };
  const Case cases[] = {
      {"uuid=4c4c4544-0039-3010-8048-b7c04f565931", "4c4c4544-0039-3010-8048-b7c04f565931",
       nullptr},
      {"uuid=4C4C4544-0039-3010-8048-B7C04F565931", "4c4c4544-0039-3010-8048-b7c04f565931",
       nullptr},
      {"mac=aa-bb&uuid=abc%2D1", "abc-1", nullptr},
      {"", nullptr, "uuid is required"},
      {"uuid=", nullptr, "uuid is required"},
      {"uuidx=1", nullptr, "uuid is required"},
      {"uuid=a&uuid=b", nullptr, "more than once"},
      {"uuid=a%2", nullptr, "percent-encoding"},
      {"uuid=a%zz", nullptr, "percent-encoding"},
      {"uuid=a/b", nullptr, "is malformed"},
      {"uuid=a+b", nullptr, "is malformed"},
      {"uuid=-ab", nullptr, "start and end"},
      // What a Talos node sends (talos internal/app/machined/pkg/runtime/v1alpha1/platform/metal/
      // url/variable.go + url.go): with any variable in the URL, Go's url.Values.Encode
      // re-encodes the whole query (keys sorted, ':' as %3A, ' ' as '+').
      {"hostname=node-1&mac=52%3A54%3A00%3A12%3A34%3A56&serial=Not+Specified&"
       "uuid=4C4C4544-0039-3010-8048-B7C04F565931",
       "4c4c4544-0039-3010-8048-b7c04f565931", nullptr},
      {"code=&uuid=abc", "abc", nullptr},
      {"&&uuid=abc&", "abc", nullptr},
      {"uuid=abc&x=${code}", "abc", nullptr},
      // A variable Talos could not fill before its URL deadline stays as written.
      {"uuid=${uuid}", nullptr, "Talos variable"},
      {"uuid=%24%7BUUID%7D", nullptr, "Talos variable"},
      // Keys are case-sensitive in Talos (arg == "uuid") and in Sidero (vals.Get("uuid")).
      {"UUID=abc", nullptr, "uuid is required"},
      {"uuid=a&uuid=", nullptr, "more than once"},
      {"uuid=%c3%28", nullptr, "uuid is not valid UTF-8"},
      {"uuid=abc&serial=%ff", nullptr, "serial is not valid UTF-8"},
      {"%ff=1&uuid=abc", nullptr, "name is not valid UTF-8"},
      {"uuid=abc&mac=%g0", nullptr, "mac is not valid percent-encoding"},
      {"uuid=+abc", nullptr, "is malformed"},
      {"uuid=%20", nullptr, "is malformed"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.query);
    auto got = parse_uuid_query(c.query);
    if (c.want) {
      ASSERT_TRUE(got.has_value()) << got.error();
      EXPECT_EQ(*got, c.want);
    } else {
      ASSERT_FALSE(got.has_value()) << *got;
      EXPECT_NE(got.error().find(c.error), std::string::npos) << got.error();
    }
  }
  EXPECT_FALSE(parse_uuid_query("uuid=" + std::string(254, 'a')).has_value());
}

TEST(LinkApiUrl, Table) {
  struct Case {
    const char* in;
    const char* want;
    const char* error;
  };
  const Case cases[] = {
      {"", "", nullptr},
      {"10.5.0.1:50110", "grpc://10.5.0.1:50110", nullptr},
      {"[fd00::1]:50110", "grpc://[fd00::1]:50110", nullptr},
      {"https://link.example:443", "https://link.example:443", nullptr},
      {"grpc://10.0.0.1:1", "grpc://10.0.0.1:1", nullptr},
      {"ftp://x:1", "", "scheme must be grpc:// or https://"},
      {"grpc://", "", "missing host"},
      {"10.5.0.1", "", "want host:port"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    std::string err;
    EXPECT_EQ(link_api_url(c.in, &err), c.want);
    if (c.error) {
      EXPECT_NE(err.find(c.error), std::string::npos) << err;
    } else {
      EXPECT_EQ(err, "");
    }
  }
}

}  // namespace
}  // namespace ferrum::metadata
