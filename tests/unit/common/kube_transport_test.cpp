// CurlTransport and RestClient against a real HTTPS server on 127.0.0.1:0: TLS with CA data,
// client certificates, bearer tokens, connection reuse, timeouts, cancellation, error
// bodies, paging, and chunked watch streams (ordering, 410, resume after disconnects).
#include <gtest/gtest.h>

#include <future>

#include "ferrum/kube/client.hpp"
#include "kube_test_server.hpp"

using namespace ferrum;
using namespace ferrum::kube;
using kubetest::Exchange;
using kubetest::Request;
using kubetest::StreamFeed;
using kubetest::TestApiServer;
using namespace std::chrono_literals;

namespace {

const kubetest::TlsMaterial& tls() {
  static const kubetest::TlsMaterial m = kubetest::make_tls_material();
  return m;
}

RestConfig config_for(const TestApiServer& s) {
  RestConfig c;
  c.server = s.url();
  c.ca_pem = tls().ca_pem;
  c.token = "secret-token";
  c.timeout = 20s;
  return c;
}

std::string status_body(int code, const std::string& reason, const std::string& msg) {
  return nlohmann::json{{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
                        {"code", code},     {"reason", reason},   {"message", msg}}
      .dump();
}

std::string query_param(const std::string& target, const std::string& key) {
  auto q = target.find('?');
  if (q == std::string::npos) return {};
  std::string s = "&" + target.substr(q + 1);
  auto p = s.find("&" + key + "=");
  if (p == std::string::npos) return {};
  auto start = p + key.size() + 2;
  auto end = s.find('&', start);
  return s.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string event(const std::string& type, const std::string& name, const std::string& rv) {
  nlohmann::json obj = {
      {"kind", "ConfigMap"},
      {"metadata", {{"name", name}, {"namespace", "ns"}, {"resourceVersion", rv}}}};
  return nlohmann::json{{"type", type}, {"object", obj}}.dump() + "\n";
}

void answer_ok(const Request&, Exchange& ex) {
  ex.respond(200, R"({"kind":"ConfigMap","metadata":{"name":"x"}})");
}

}  // namespace

TEST(CurlTransport, TlsWithCaDataAndBearerToken) {
  TestApiServer server(tls(), answer_ok);
  RestClient client(config_for(server));
  auto got = client.get(resources::config_maps(), "ns", "x");
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ((*got)["metadata"]["name"], "x");
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].target, "/api/v1/namespaces/ns/configmaps/x");
  EXPECT_EQ(reqs[0].authorization, "Bearer secret-token");
  EXPECT_EQ(reqs[0].accept, "application/json");
}

TEST(CurlTransport, UnknownCaIsRejected) {
  TestApiServer server(tls(), answer_ok);
  auto cfg = config_for(server);
  cfg.ca_pem = tls().other_ca_pem;
  RestClient client(cfg);
  auto got = client.get(resources::config_maps(), "ns", "x");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, 0);
  EXPECT_TRUE(is_transport(got.error())) << got.error().describe();
  EXPECT_TRUE(server.requests().empty());
}

TEST(CurlTransport, InsecureSkipVerifyNeedsNoCa) {
  TestApiServer server(tls(), answer_ok);
  auto cfg = config_for(server);
  cfg.ca_pem.clear();
  cfg.insecure_skip_tls_verify = true;
  RestClient client(cfg);
  EXPECT_TRUE(client.get(resources::config_maps(), "ns", "x"));
}

TEST(CurlTransport, ClientCertificateFromMemory) {
  TestApiServer server(tls(), answer_ok, /*require_client_cert=*/true);
  auto cfg = config_for(server);
  cfg.token.clear();
  {
    RestClient without(cfg);
    auto got = without.get(resources::config_maps(), "ns", "x");
    ASSERT_FALSE(got);
    EXPECT_TRUE(is_transport(got.error())) << got.error().describe();
  }
  cfg.client_cert_pem = tls().client_cert_pem;
  cfg.client_key_pem = tls().client_key_pem;
  RestClient with(cfg);
  auto got = with.get(resources::config_maps(), "ns", "x");
  ASSERT_TRUE(got) << got.error().describe();
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].client_cn, "tester");
  EXPECT_EQ(reqs[0].authorization, "");
}

TEST(CurlTransport, TlsServerNameVerifiesAnotherName) {
  TestApiServer server(tls(), answer_ok);
  auto cfg = config_for(server);
  cfg.server = "https://localhost:" + std::to_string(server.port());  // not in the certificate
  {
    RestClient plain(cfg);
    auto got = plain.get(resources::config_maps(), "ns", "x");
    ASSERT_FALSE(got);
    EXPECT_TRUE(is_transport(got.error()));
  }
  cfg.tls_server_name = "api.local";  // in the certificate
  RestClient named(cfg);
  auto got = named.get(resources::config_maps(), "ns", "x");
  EXPECT_TRUE(got) << got.error().describe();
}

TEST(CurlTransport, ConnectionsAreReused) {
  TestApiServer server(tls(), answer_ok);
  auto transport = std::make_shared<CurlTransport>(config_for(server));
  RestClient client(transport, config_for(server));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.get(resources::config_maps(), "ns", "x"));
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(transport->connections_opened_for_test(), 1);
}

TEST(CurlTransport, TimeoutWhenTheServerNeverAnswers) {
  StreamFeed release;
  TestApiServer server(tls(), [&](const Request&, Exchange& ex) {
    release.next();  // blocks until the test is done
    ex.abort();
  });
  auto cfg = config_for(server);
  cfg.timeout = 300ms;
  RestClient client(cfg);
  auto got = client.get(resources::config_maps(), "ns", "x");
  release.close();
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().reason, kReasonTimeout) << got.error().describe();
  EXPECT_TRUE(is_retryable(got.error()));
}

TEST(CurlTransport, StopCancelsAnInFlightRequest) {
  StreamFeed release;
  TestApiServer server(tls(), [&](const Request&, Exchange& ex) {
    release.next();
    ex.abort();
  });
  auto cfg = config_for(server);
  cfg.timeout = std::chrono::hours(1);  // only cancellation can end this call
  CurlTransport transport(cfg);
  std::stop_source stop;
  auto fut = std::async(std::launch::async, [&] {
    return transport.request({"GET", "/api", {}, {}, "application/json", {}}, stop.get_token());
  });
  server.wait_for_requests(1);
  stop.request_stop();
  auto got = fut.get();
  release.close();
  ASSERT_FALSE(got);
  EXPECT_TRUE(is_cancelled(got.error())) << got.error().describe();
}

TEST(CurlTransport, ResponseOverTheLimitIsAnError) {
  TestApiServer server(tls(), [](const Request&, Exchange& ex) {
    ex.respond(200, std::string(5000, 'x'), "text/plain");
  });
  auto cfg = config_for(server);
  cfg.max_response_bytes = 4096;
  RestClient client(cfg);
  auto got = client.get(resources::config_maps(), "ns", "x");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().reason, kReasonBadResponse);
}

TEST(RestClient, StatusBodiesBecomeErrors) {
  TestApiServer server(tls(), [](const Request& r, Exchange& ex) {
    if (r.method == "GET")
      ex.respond(404, status_body(404, "NotFound", "configmaps \"x\" not found"));
    else if (r.method == "POST")
      ex.respond(409, status_body(409, "AlreadyExists", "configmaps \"x\" already exists"));
    else if (r.method == "PUT")
      ex.respond(409, status_body(409, "Conflict", "the object has been modified"));
    else
      ex.respond(200, "not json", "text/plain");
  });
  RestClient client(config_for(server));
  auto cm = resources::config_maps();
  nlohmann::json obj = {
      {"metadata", {{"name", "x"}, {"namespace", "ns"}, {"resourceVersion", "3"}}}};
  auto g = client.get(cm, "ns", "x");
  ASSERT_FALSE(g);
  EXPECT_TRUE(is_not_found(g.error()));
  EXPECT_EQ(g.error().message, "configmaps \"x\" not found");
  auto c = client.create(cm, obj);
  ASSERT_FALSE(c);
  EXPECT_TRUE(is_already_exists(c.error()));
  auto u = client.update(cm, obj);
  ASSERT_FALSE(u);
  EXPECT_TRUE(is_conflict(u.error()));
  auto p = client.patch(cm, "ns", "x", PatchType::kMerge, {{"data", {{"a", "b"}}}});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().reason, kReasonBadResponse);
}

TEST(RestClient, RequestShapes) {
  TestApiServer server(tls(), [](const Request& r, Exchange& ex) {
    ex.respond(r.method == "POST" ? 201 : 200, r.body.empty() ? "{}" : r.body);
  });
  RestClient client(config_for(server));
  ResourceId servers{"metal.sidero.dev", "v1alpha2", "servers", false};
  nlohmann::json srv = {{"apiVersion", "metal.sidero.dev/v1alpha2"},
                        {"kind", "Server"},
                        {"metadata", {{"name", "u1"}}},
                        {"status", {{"power", "on"}}}};
  ASSERT_TRUE(client.create(servers, srv));
  ASSERT_TRUE(client.update(servers, srv));
  ASSERT_TRUE(client.update_status(servers, srv));
  ASSERT_TRUE(client.patch(
      servers, "", "u1", PatchType::kJson,
      nlohmann::json::array({{{"op", "replace"}, {"path", "/spec/accepted"}, {"value", true}}})));
  ASSERT_TRUE(client.patch(servers, "", "u1", PatchType::kStrategicMerge,
                           {{"spec", {{"cordoned", true}}}}, "status"));
  DeleteOptions del;
  del.precondition_resource_version = "7";
  del.propagation_policy = "Background";
  ASSERT_TRUE(client.remove(servers, "", "u1", del));
  ListOptions lo;
  lo.label_selector = "a=b";
  ASSERT_TRUE(client.list(servers, "", lo));
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 7u);
  EXPECT_EQ(reqs[0].method + " " + reqs[0].target, "POST /apis/metal.sidero.dev/v1alpha2/servers");
  EXPECT_EQ(nlohmann::json::parse(reqs[0].body), srv);
  EXPECT_EQ(reqs[0].content_type, "application/json");
  EXPECT_EQ(reqs[1].method + " " + reqs[1].target,
            "PUT /apis/metal.sidero.dev/v1alpha2/servers/u1");
  EXPECT_EQ(reqs[2].method + " " + reqs[2].target,
            "PUT /apis/metal.sidero.dev/v1alpha2/servers/u1/status");
  EXPECT_EQ(reqs[3].method + " " + reqs[3].target,
            "PATCH /apis/metal.sidero.dev/v1alpha2/servers/u1");
  EXPECT_EQ(reqs[3].content_type, "application/json-patch+json");
  EXPECT_EQ(reqs[4].target, "/apis/metal.sidero.dev/v1alpha2/servers/u1/status");
  EXPECT_EQ(reqs[4].content_type, "application/strategic-merge-patch+json");
  EXPECT_EQ(reqs[5].method, "DELETE");
  auto body = nlohmann::json::parse(reqs[5].body);
  EXPECT_EQ(body["preconditions"]["resourceVersion"], "7");
  EXPECT_EQ(body["propagationPolicy"], "Background");
  EXPECT_EQ(reqs[6].target, "/apis/metal.sidero.dev/v1alpha2/servers?labelSelector=a%3Db");
}

TEST(RestClient, NamespacedWritesNeedANamespace) {
  TestApiServer server(tls(), answer_ok);
  RestClient client(config_for(server));
  auto c = client.create(resources::config_maps(), {{"metadata", {{"name", "x"}}}});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().reason, kReasonBadRequest);
  EXPECT_TRUE(server.requests().empty());
}

TEST(RestClient, ListAllFollowsContinueAndFallsBackOn410) {
  std::atomic<bool> expire{false};
  TestApiServer server(tls(), [&](const Request& r, Exchange& ex) {
    std::string cont = query_param(r.target, "continue");
    std::string limit = query_param(r.target, "limit");
    auto items = [](std::initializer_list<const char*> names) {
      nlohmann::json a = nlohmann::json::array();
      for (auto n : names) a.push_back({{"metadata", {{"name", n}, {"namespace", "ns"}}}});
      return a;
    };
    nlohmann::json list = {{"kind", "ConfigMapList"},
                           {"apiVersion", "v1"},
                           {"metadata", {{"resourceVersion", "100"}}}};
    if (limit.empty()) {
      list["items"] = items({"a", "b", "c"});
    } else if (cont.empty()) {
      list["items"] = items({"a", "b"});
      list["metadata"]["continue"] = "page2";
    } else if (expire) {
      return ex.respond(410, status_body(410, "Expired", "continue token expired"));
    } else {
      list["items"] = items({"c"});
    }
    ex.respond(200, list.dump());
  });
  RestClient client(config_for(server));
  auto all = list_all(client, resources::config_maps(), "ns", {}, 2);
  ASSERT_TRUE(all) << all.error().describe();
  ASSERT_EQ(all->items.size(), 3u);
  EXPECT_EQ(all->resource_version, "100");
  EXPECT_EQ(all->items[2]["kind"], "ConfigMap");  // restored from the List's kind
  EXPECT_EQ(all->items[2]["apiVersion"], "v1");
  EXPECT_EQ(server.requests().size(), 2u);

  expire = true;
  auto again = list_all(client, resources::config_maps(), "ns", {}, 2);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again->items.size(), 3u);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 5u);
  EXPECT_EQ(query_param(reqs[4].target, "limit"), "");  // the unpaged fallback
}

// ---- watch ----

class WatchTest : public ::testing::Test {
 protected:
  // Each watch call takes the next feed; the test writes its events and closes it.
  std::mutex mu;
  std::deque<std::shared_ptr<StreamFeed>> feeds;
  std::function<bool(const Request&, Exchange&)> before;  // answers instead when it returns true

  std::shared_ptr<StreamFeed> add_feed() {
    auto f = std::make_shared<StreamFeed>();
    std::lock_guard l(mu);
    feeds.push_back(f);
    return f;
  }
  TestApiServer::Handler handler() {
    return [this](const Request& r, Exchange& ex) {
      if (before && before(r, ex)) return;
      std::shared_ptr<StreamFeed> f;
      {
        std::lock_guard l(mu);
        if (feeds.empty()) return ex.respond(500, status_body(500, "InternalError", "no feed"));
        f = feeds.front();
        feeds.pop_front();
      }
      ex.start_stream();
      while (auto line = f->next()) {
        if (*line == "<abort>") return ex.abort();
        if (!ex.chunk(*line)) return ex.abort();
      }
      ex.end_stream();
    };
  }
};

TEST_F(WatchTest, EventsArriveInOrderAcrossChunks) {
  auto feed = add_feed();
  TestApiServer server(tls(), handler());
  RestClient client(config_for(server));
  std::string all = event("ADDED", "a", "5") + event("MODIFIED", "a", "6") +
                    event("BOOKMARK", "", "9") + event("DELETED", "a", "10");
  // Split mid-line so events straddle chunks.
  feed->push(all.substr(0, 30));
  feed->push(all.substr(30, 100));
  feed->push(all.substr(130));
  feed->close();
  std::vector<std::string> seen;
  WatchOptions o;
  o.resource_version = "4";
  o.timeout = 60s;
  auto end = client.watch(resources::config_maps(), "ns", o,
                          [&](WatchEvent&& ev) {
                            seen.push_back(std::string(event_type_name(ev.type)) + "@" +
                                           resource_version_of(ev.object));
                            return true;
                          },
                          {});
  ASSERT_TRUE(end) << end.error().describe();
  EXPECT_EQ(end->last_resource_version, "10");
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED@5", "MODIFIED@6", "BOOKMARK@9", "DELETED@10"}));
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target,
            "/api/v1/namespaces/ns/"
            "configmaps?watch=1&resourceVersion=4&allowWatchBookmarks=true&timeoutSeconds=60");
}

TEST_F(WatchTest, ErrorEvent410IsGone) {
  auto feed = add_feed();
  TestApiServer server(tls(), handler());
  RestClient client(config_for(server));
  feed->push(event("ADDED", "a", "5"));
  feed->push(
      R"j({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 1 (20)"}})j"
      "\n");
  // the stream stays open: the client must stop at the ERROR event by itself
  int n = 0;
  auto end =
      client.watch(resources::config_maps(), "ns", {}, [&](WatchEvent&&) { return ++n, true; }, {});
  feed->close();
  ASSERT_FALSE(end);
  EXPECT_TRUE(is_gone(end.error())) << end.error().describe();
  EXPECT_EQ(n, 1);
}

TEST_F(WatchTest, Http410IsGone) {
  before = [](const Request&, Exchange& ex) {
    ex.respond(410, status_body(410, "Expired", "too old resource version"));
    return true;
  };
  TestApiServer server(tls(), handler());
  RestClient client(config_for(server));
  auto end =
      client.watch(resources::config_maps(), "ns", {}, [](WatchEvent&&) { return true; }, {});
  ASSERT_FALSE(end);
  EXPECT_TRUE(is_gone(end.error()));
}

TEST_F(WatchTest, StopEndsAnIdleWatchPromptly) {
  auto feed = add_feed();
  TestApiServer server(tls(), handler());
  RestClient client(config_for(server));
  std::stop_source stop;
  std::promise<void> got_first;
  auto fut = std::async(std::launch::async, [&] {
    WatchOptions o;
    o.timeout = std::chrono::hours(1);  // only the stop can end it
    return client.watch(
        resources::config_maps(), "ns", o,
        [&](WatchEvent&&) {
          got_first.set_value();
          return true;
        },
        stop.get_token());
  });
  feed->push(event("ADDED", "a", "5"));
  got_first.get_future().wait();
  stop.request_stop();
  auto end = fut.get();
  feed->close();
  ASSERT_FALSE(end);
  EXPECT_TRUE(is_cancelled(end.error()));
}

TEST_F(WatchTest, ResumingWatchContinuesFromLastResourceVersion) {
  auto f1 = add_feed();
  auto f2 = add_feed();
  auto f3 = add_feed();
  TestApiServer server(tls(), handler());
  ManualClock clock;
  auto cfg = config_for(server);
  RestClient client(std::make_shared<CurlTransport>(cfg, clock), cfg, clock);

  f1->push(event("ADDED", "a", "5"));
  f1->push(event("BOOKMARK", "", "8"));
  f1->close();  // server ends the call normally (timeoutSeconds): resume at once
  f2->push(event("MODIFIED", "a", "9"));
  f2->push("<abort>");  // connection dropped (server restart): resume after backoff
  f3->push(event("DELETED", "a", "12"));

  std::stop_source stop;
  std::vector<std::string> seen;
  std::vector<std::string> retried;
  std::promise<void> third;
  auto fut = std::async(std::launch::async, [&] {
    WatchOptions o;
    o.resource_version = "1";
    return watch_resuming(
        client, clock, resources::config_maps(), "ns", o,
        [&](WatchEvent&& ev) {
          seen.push_back(resource_version_of(ev.object));
          if (seen.size() == 4) third.set_value();
          return true;
        },
        stop.get_token(), {}, [&](const Error& e) { retried.push_back(e.reason); });
  });
  clock.wait_for_sleepers(1);  // backing off after the dropped connection
  clock.advance(1s);
  third.get_future().wait();
  stop.request_stop();
  auto end = fut.get();
  f3->close();
  ASSERT_TRUE(end) << end.error().describe();
  EXPECT_EQ(end->last_resource_version, "12");
  EXPECT_EQ(seen, (std::vector<std::string>{"5", "8", "9", "12"}));
  EXPECT_EQ(retried.size(), 1u);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(query_param(reqs[0].target, "resourceVersion"), "1");
  EXPECT_EQ(query_param(reqs[1].target, "resourceVersion"), "8");  // the bookmark's
  EXPECT_EQ(query_param(reqs[2].target, "resourceVersion"), "9");
}

TEST_F(WatchTest, ResumingWatchReturnsGoneForRelist) {
  auto f1 = add_feed();
  TestApiServer server(tls(), handler());
  RestClient client(config_for(server));
  f1->push(event("ADDED", "a", "5"));
  f1->push(
      R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}})"
      "\n");
  auto end = watch_resuming(client, real_clock(), resources::config_maps(), "ns", {},
                            [](WatchEvent&&) { return true; }, {});
  f1->close();
  ASSERT_FALSE(end);
  EXPECT_TRUE(is_gone(end.error()));
}
