// The admin server over real HTTP on loopback; /metrics is checked with a strict line
// parser here and with the Prometheus project's own Python parser (python3-prometheus-client).
#include "ferrum/admin_server.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <fstream>
#include <regex>

namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = boost::asio::ip::tcp;
using namespace ferrum;

namespace {

log::Logger quiet() { return log::discard("admin"); }

bhttp::response<bhttp::string_body> request(std::uint16_t port, bhttp::verb verb, const std::string& target,
                                          std::size_t padding = 0) {
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  bhttp::request<bhttp::string_body> req(verb, target, 11);
  req.set(bhttp::field::host, "127.0.0.1");
  if (verb == bhttp::verb::post) req.body() = "x";
  if (padding > 0) req.set("X-Padding", std::string(padding, 'a'));
  req.prepare_payload();
  bhttp::write(stream, req);
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  if (verb == bhttp::verb::head) parser.skip(true);
  bhttp::read(stream, buf, parser);
  return parser.release();
}

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry.counter("ferrum_requests_total", "Requests by route and code.", {"route", "code"})
        .with({"/ipxe", "200"})
        .inc(5);
    registry.histogram("ferrum_latency_seconds", "Latency.", metrics::default_buckets())
        .get()
        .observe(0.02);
    registry.gauge("ferrum_weird_label", "Escaping.", {"v"}).with({"a\"b\\c\nd"}).set(1);
    metrics::register_process_metrics(registry);
    server = std::make_unique<admin::AdminServer>(admin::AdminSettings{"127.0.0.1:0"}, registry, quiet());
    auto port = server->start();
    ASSERT_TRUE(port) << port.error();
    ASSERT_NE(*port, 0);
  }
  metrics::Registry registry;
  std::unique_ptr<admin::AdminServer> server;
};

}  // namespace

TEST_F(AdminServerTest, MetricsParseAsPrometheusText) {
  auto res = request(server->port(), bhttp::verb::get, "/metrics");
  ASSERT_EQ(res.result(), bhttp::status::ok);
  EXPECT_EQ(res[bhttp::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  const std::string& body = res.body();
  ASSERT_FALSE(body.empty());
  ASSERT_EQ(body.back(), '\n');

  // Strict: every line is a HELP/TYPE comment or a sample.
  std::regex comment(R"(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*)");
  std::regex sample(
      R"([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN))");
  std::istringstream lines(body);
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.starts_with("#")) {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 15);

  // Independent: the Prometheus Python client's parser must accept it and see our values.
  char path[] = "/tmp/ferrum-metrics-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << body;
  std::string cmd = std::string("/usr/bin/python3 -c '") +
                    "import sys\n"
                    "from prometheus_client.parser import text_string_to_metric_families as p\n"
                    "fams = {f.name: f for f in p(open(sys.argv[1]).read())}\n"
                    "s = [x for x in fams[\"ferrum_requests\"].samples if x.labels == {\"route\": \"/ipxe\", \"code\": \"200\"}]\n"
                    "assert s and s[0].value == 5, s\n"
                    "assert fams[\"ferrum_latency_seconds\"].type == \"histogram\"\n"
                    "w = fams[\"ferrum_weird_label\"].samples[0].labels[\"v\"]\n"
                    "assert w == \"a\\\"b\\\\c\\nd\", repr(w)\n"
                    "' " + path;
  int rc = std::system(cmd.c_str());
  std::remove(path);
  EXPECT_EQ(rc, 0) << "prometheus_client rejected the exposition";
}

TEST_F(AdminServerTest, HealthAndReadiness) {
  EXPECT_EQ(request(server->port(), bhttp::verb::get, "/healthz").result(), bhttp::status::ok);
  EXPECT_EQ(request(server->port(), bhttp::verb::get, "/readyz").result(), bhttp::status::ok);
  std::atomic<bool> synced{false};
  server->add_readiness_check("informers", [&] { return synced ? std::string() : std::string("servers not synced"); });
  auto res = request(server->port(), bhttp::verb::get, "/readyz");
  EXPECT_EQ(res.result(), bhttp::status::service_unavailable);
  EXPECT_NE(res.body().find("informers: servers not synced"), std::string::npos) << res.body();
  synced = true;
  EXPECT_EQ(request(server->port(), bhttp::verb::get, "/readyz").result(), bhttp::status::ok);
}

TEST_F(AdminServerTest, BadRequestsGetClearAnswers) {
  EXPECT_EQ(request(server->port(), bhttp::verb::get, "/nope").result(), bhttp::status::not_found);
  auto res = request(server->port(), bhttp::verb::delete_, "/metrics");
  EXPECT_EQ(res.result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(res[bhttp::field::allow], "GET, HEAD");
  EXPECT_EQ(request(server->port(), bhttp::verb::post, "/metrics").result(), bhttp::status::payload_too_large);
  // A head over the 8 KiB bound gets an answer, not a silently closed connection.
  EXPECT_EQ(request(server->port(), bhttp::verb::get, "/healthz", 16 * 1024).result(),
            bhttp::status::request_header_fields_too_large);
  EXPECT_EQ(request(server->port(), bhttp::verb::get, "/healthz").result(), bhttp::status::ok);
  auto head = request(server->port(), bhttp::verb::head, "/healthz");
  EXPECT_EQ(head.result(), bhttp::status::ok);
  EXPECT_TRUE(head.body().empty());
}

TEST_F(AdminServerTest, StopsCleanlyAndFreesThePort) {
  auto port = server->port();
  server->stop();
  boost::asio::io_context ioc;
  tcp::socket s(ioc);
  boost::system::error_code ec;
  s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_TRUE(ec) << "still accepting after stop";
}

TEST(AdminServer, BindErrorNamesTheFlag) {
  metrics::Registry r;
  admin::AdminServer s(admin::AdminSettings{"256.0.0.1:80"}, r, quiet());
  auto res = s.start();
  ASSERT_FALSE(res);
  EXPECT_NE(res.error().find("--admin-listen 256.0.0.1:80"), std::string::npos) << res.error();
}
