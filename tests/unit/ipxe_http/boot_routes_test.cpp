#include "boot_routes.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ferrum/http/limits.hpp"
#include "ferrum/model/server.hpp"
#include "ipxe_script.hpp"

namespace ferrum::ipxe {
namespace {

namespace fs = std::filesystem;

class BootRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ferrum-routes-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "tftp");
    fs::create_directories(dir_ / "agent" / "amd64");
    write(dir_ / "tftp" / "ipxe.efi", std::string(1000, 'i'));
    write(dir_ / "secret", "outside");
    fs::create_symlink(dir_ / "secret", dir_ / "tftp" / "link-out");
    write(dir_ / "agent" / "amd64" / "vmlinuz", "0123456789");
    write(dir_ / "agent" / "amd64" / "initramfs.xz", "initrd");
    cache_ = std::make_unique<AssetCache>(AssetCacheSettings{(dir_ / "env").string(),
                                                             (dir_ / "agent").string(),
                                                             {},
                                                             1,
                                                             std::chrono::milliseconds(1)},
                                          clock_, registry_, log::Logger(output_, "test"));
    cache_->refresh_agents();
    routes_ = std::make_unique<BootRoutes>(
        render_boot_script("10.0.0.1:8081"), (dir_ / "tftp").string(),
        BootCaches{servers_, bindings_, classes_, environments_}, *cache_, DecisionSettings{},
        registry_, log::Logger(output_, "test"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void write(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }
  http::Response get(const std::string& target,
                   std::vector<std::pair<std::string, std::string>> h = {}) {
    std::string head = "GET " + target + " HTTP/1.1\r\n";
    for (auto& [k, v] : h) head += k + ": " + v + "\r\n";
    auto req = http::parse_request(head + "\r\n", http::Limits{});
    EXPECT_TRUE(req.has_value());
    return routes_->handle(*req);
  }
  static std::string read_body(http::Response& r) {
    if (!r.file) return std::string(r.body_text());
    std::string out(r.file->length, '\0');
    EXPECT_EQ(::pread(r.file->fd, out.data(), out.size(), static_cast<off_t>(r.file->offset)),
              static_cast<ssize_t>(out.size()));
    ::close(r.file->fd);
    return out;
  }
  static std::string header(const http::Response& r, const std::string& name) {
    for (auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }

  fs::path dir_;
  ManualClock clock_;
  metrics::Registry registry_;
  std::shared_ptr<const log::Output> output_ =
      std::make_shared<log::Output>(log::Format::kJson, log::Level::kError);
  kube::ObjectStore servers_, bindings_, classes_, environments_;
  std::unique_ptr<AssetCache> cache_;
  std::unique_ptr<BootRoutes> routes_;
};

TEST_F(BootRoutesTest, BootScriptAndDecision) {
  auto b = get("/boot.ipxe");
  EXPECT_EQ(b.status, 200);
  EXPECT_NE(b.body.find("http://10.0.0.1:8081/ipxe?"), std::string::npos);
  auto d = get("/ipxe?uuid=&mac=52-54-00-00-00-01");
  EXPECT_EQ(d.status, 200);
  EXPECT_NE(d.body_text().find("kernel /env/agent-amd64/vmlinuz"), std::string::npos);
  auto bad = get("/ipxe?mac=nope");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body_text().find("mac:"), std::string::npos);
  EXPECT_EQ(get("/other").status, 404);
  auto metrics = registry_.expose();
  EXPECT_NE(metrics.find("ferrum_ipxe_http_requests_total{route=\"ipxe\",decision=\"agent\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("ferrum_ipxe_http_requests_total{route=\"ipxe\",decision=\"400\"} 1"),
            std::string::npos);
}

// Sidero served /configdata on this port; ferrum-metadata serves it now (sidero_compat.hpp).
TEST_F(BootRoutesTest, ConfigdataRedirectsToMetadataKeepingTheQuery) {
  EXPECT_EQ(get("/configdata?uuid=").status, 404) << "no --metadata-endpoint in this fixture";
  DecisionSettings st;
  st.metadata_endpoint = "10.0.0.1:9091";
  BootRoutes routes(render_boot_script("10.0.0.1:8081"), (dir_ / "tftp").string(),
                    BootCaches{servers_, bindings_, classes_, environments_}, *cache_, st,
                    registry_, log::Logger(output_, "test"));
  for (const std::string q :
       {"uuid=", "uuid=4C4C4544-0042-3410-8052-B2C04F384D32",
        "hostname=n&mac=52%3A54%3A00%3A12%3A34%3A56&serial=Not+Specified&uuid=abc"}) {
    SCOPED_TRACE(q);
    auto req = http::parse_request("GET /configdata?" + q + " HTTP/1.1\r\n\r\n", http::Limits{});
    ASSERT_TRUE(req.has_value());
    auto r = routes.handle(*req);
    EXPECT_EQ(r.status, 307);
    EXPECT_EQ(header(r, "Location"), "http://10.0.0.1:9091/configdata?" + q);
  }
  auto sub = http::parse_request("GET /configdata/abc HTTP/1.1\r\n\r\n", http::Limits{});
  EXPECT_EQ(routes.handle(*sub).status, 404) << "Sidero's mux matched /configdata only";
  EXPECT_NE(registry_.expose().find(
                "ferrum_ipxe_http_requests_total{route=\"configdata\",decision=\"307\"} 3"),
            std::string::npos);
}

TEST_F(BootRoutesTest, TftpStaysUnderItsRoot) {
  auto r = get("/tftp/ipxe.efi");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(read_body(r), std::string(1000, 'i'));
  EXPECT_EQ(get("/tftp/../secret").status, 404);
  EXPECT_EQ(get("/tftp/%2e%2e/secret").status, 404);
  EXPECT_EQ(get("/tftp/link-out").status, 404);
  EXPECT_EQ(get("/tftp/").status, 404);
  EXPECT_EQ(get("/tftp/missing").status, 404);
}

TEST_F(BootRoutesTest, RangesAndValidators) {
  auto full = get("/env/agent-amd64/vmlinuz");
  ASSERT_EQ(full.status, 200);
  std::string etag = header(full, "ETag");
  std::string lm = header(full, "Last-Modified");
  EXPECT_FALSE(etag.empty());
  EXPECT_FALSE(lm.empty());
  EXPECT_EQ(header(full, "Accept-Ranges"), "bytes");
  EXPECT_EQ(read_body(full), "0123456789");

  auto part = get("/env/agent-amd64/vmlinuz", {{"Range", "bytes=2-4"}});
  ASSERT_EQ(part.status, 206);
  EXPECT_EQ(header(part, "Content-Range"), "bytes 2-4/10");
  EXPECT_EQ(read_body(part), "234");

  auto suffix = get("/env/agent-amd64/vmlinuz", {{"Range", "bytes=-3"}});
  EXPECT_EQ(read_body(suffix), "789");
  auto bad = get("/env/agent-amd64/vmlinuz", {{"Range", "bytes=10-"}});
  EXPECT_EQ(bad.status, 416);
  EXPECT_EQ(header(bad, "Content-Range"), "bytes */10");

  EXPECT_EQ(get("/env/agent-amd64/vmlinuz", {{"If-None-Match", etag}}).status, 304);
  EXPECT_EQ(get("/env/agent-amd64/vmlinuz", {{"If-Modified-Since", lm}}).status, 304);
  auto stale = get("/env/agent-amd64/vmlinuz", {{"If-None-Match", "\"x\""}});
  EXPECT_EQ(stale.status, 200);
  read_body(stale);
  auto if_range = get("/env/agent-amd64/vmlinuz", {{"Range", "bytes=0-0"}, {"If-Range", "\"x\""}});
  EXPECT_EQ(if_range.status, 200);
  read_body(if_range);
  EXPECT_EQ(get("/env/agent-amd64/other").status, 404);
  EXPECT_EQ(get("/env/agent-arm64/vmlinuz").status, 404);
}

TEST_F(BootRoutesTest, RepeatedDecisionsFollowEveryInput) {
  const std::string uuid = "4c4c4544-0042-3410-8052-b2c04f384d32";
  const std::string target = "/ipxe?uuid=" + uuid + "&mac=52-54-00-00-00-01";
  auto put = [](kube::ObjectStore& store, const std::string& name, nlohmann::json obj) {
    obj["metadata"]["name"] = name;
    obj["metadata"]["resourceVersion"] = std::to_string(store.generation() + 1);
    store.upsert(name, std::make_shared<const nlohmann::json>(std::move(obj)));
  };
  auto first = get(target);
  ASSERT_EQ(first.status, 200);
  EXPECT_NE(first.body_text().find("no Server " + uuid), std::string::npos) << first.body_text();
  auto again = get(target);
  EXPECT_EQ(again.body_text(), first.body_text());
  EXPECT_EQ(again.shared_body, first.shared_body) << "the second answer is the cached one";

  put(servers_, uuid, {{"spec", {{"accepted", true}}}});
  auto server = get(target);
  EXPECT_NE(server.body_text().find("has no ServerBinding"), std::string::npos)
      << server.body_text();

  put(bindings_, uuid, {{"spec", {{"serverClassRef", {{"name", "workers"}}}}}});
  auto bound = get(target);
  EXPECT_EQ(bound.status, 404) << "environment default does not exist yet";

  put(classes_, "workers", {{"spec", {{"environmentRef", {{"name", "agentless"}}}}}});
  auto by_class = get(target);
  EXPECT_NE(by_class.body_text().find("environment \"agentless\" not found"), std::string::npos)
      << by_class.body_text();

  auto env = model::Environment::make("agentless");
  env.set_kernel({"http://127.0.0.1:1/vmlinuz", "", {}});
  env.set_initrd({"http://127.0.0.1:1/initrd", ""});
  environments_.upsert("agentless", std::make_shared<const nlohmann::json>(env.raw()));
  auto unready = get(target);
  EXPECT_EQ(unready.status, 412) << unready.body_text();

  // Asset readiness moves too: the agent environment for an unbound machine.
  const std::string agent_target = "/ipxe?uuid=&mac=52-54-00-00-00-02&arch=arm64";
  EXPECT_EQ(get(agent_target).status, 412);
  fs::create_directories(dir_ / "agent" / "arm64");
  write(dir_ / "agent" / "arm64" / "vmlinuz", "k");
  write(dir_ / "agent" / "arm64" / "initramfs.xz", "i");
  cache_->refresh_agents();
  auto agent = get(agent_target);
  EXPECT_EQ(agent.status, 200) << agent.body_text();
  EXPECT_NE(agent.body_text().find("kernel /env/agent-arm64/vmlinuz"), std::string::npos);
}

TEST_F(BootRoutesTest, EnvironmentAssetsAre412UntilVerifiedAndNameTheFailure) {
  auto env = model::Environment::make("default");
  env.set_kernel({"file:///etc/passwd", "", {}});
  env.set_initrd({"ftp://x/initrd", ""});
  environments_.upsert("default", std::make_shared<const nlohmann::json>(env.raw()));
  EXPECT_EQ(get("/env/nope/vmlinuz").status, 404);
  auto before = get("/env/default/vmlinuz");
  EXPECT_EQ(before.status, 412);
  EXPECT_NE(before.body_text().find("not downloaded yet"), std::string::npos);

  auto states = cache_->sync(env, {});
  ASSERT_EQ(states.size(), 2u);
  EXPECT_FALSE(states[0].ready);
  EXPECT_EQ(states[0].reason, "BadURL");
  auto after = get("/env/default/vmlinuz");
  EXPECT_EQ(after.status, 412);
  EXPECT_NE(after.body_text().find("vmlinuz: BadURL: only http:// and https:// URLs are fetched"),
            std::string::npos)
      << after.body_text();
  EXPECT_EQ(cache_->unready_environments(), 1u);
  EXPECT_EQ(cache_->ready_environments(), 0u);
  cache_->forget("default");
  EXPECT_EQ(cache_->unready_environments(), 0u);
}

}  // namespace
}  // namespace ferrum::ipxe
