// Ferrum's HTTP server (ferrum/http/server.hpp) over real sockets on loopback, port 0:
// deadlines on a ManualClock (no sleeps, no timings), caps, the per-client share, handler
// exceptions, body limits, streams and the two-phase shutdown.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "ferrum/http/router.hpp"
#include "ferrum/http/server.hpp"

using namespace ferrum;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

log::Logger quiet() { return log::discard("http"); }

// A blocking client socket from a chosen loopback address; reads give up after 30 s so that a
// broken server fails the test instead of hanging it.
class Client {
 public:
  Client(std::uint16_t port, const char* from = "127.0.0.1") : sock_(ioc_) {
    sock_.open(tcp::v4());
    sock_.bind(tcp::endpoint(asio::ip::make_address(from), 0));
    timeval tv{30, 0};
    ::setsockopt(sock_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sock_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void send(const std::string& s) { asio::write(sock_, asio::buffer(s)); }
  // One response: head and Content-Length body (or up to EOF). Empty when the server closed
  // the connection without answering.
  std::string response(bool head_only = false) {
    while (true) {
      auto end = buf_.find("\r\n\r\n");
      if (end != std::string::npos) {
        auto head = buf_.substr(0, end + 4);
        std::size_t len = 0;
        auto cl = head.find("Content-Length: ");
        if (cl != std::string::npos && !head_only) len = std::stoul(head.substr(cl + 16));
        if (buf_.size() >= end + 4 + len) {
          auto out = buf_.substr(0, end + 4 + len);
          buf_.erase(0, end + 4 + len);
          return out;
        }
      }
      if (!fill()) return std::exchange(buf_, {});
    }
  }
  // Everything until the server closes.
  std::string until_eof() {
    while (fill()) {
    }
    return std::exchange(buf_, {});
  }
  // True when the server closed the connection (EOF or reset) before sending anything.
  bool closed_by_server() { return !fill() && buf_.empty(); }

 private:
  bool fill() {
    // Plain recv(2) so that SO_RCVTIMEO applies (Asio's blocking reads retry past it).
    char tmp[4096];
    auto n = ::recv(sock_.native_handle(), tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }
  asio::io_context ioc_;
  tcp::socket sock_;
  std::string buf_;
};

std::string get(const std::string& path, bool close = false) {
  return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + (close ? "Connection: close\r\n" : "") +
         "\r\n";
}

int status_of(const std::string& response) {
  return response.size() > 12 ? std::stoi(response.substr(9, 3)) : 0;
}

http::Handler hello() {
  http::Router r;
  r.get("/hello",
        http::respond_with([](const http::Request&) { return http::Response::text(200, "hi\n"); }));
  r.add({"POST"}, "/echo", http::respond_with([](const http::Request& req) {
          return http::Response::text(200, req.body);
        }));
  r.get("/throw", [](http::Request&, http::Exchange&) { throw std::runtime_error("boom"); });
  r.get("/silent", [](http::Request&, http::Exchange&) {});
  return r;
}

struct Fixture {
  explicit Fixture(http::Limits limits, http::Handler h = hello()) {
    http::ServerSettings s;
    s.listen = "127.0.0.1:0";
    s.limits = limits;
    s.clock = &clock;
    server = std::make_unique<http::Server>(std::move(s), std::move(h), quiet());
    auto p = server->start();
    EXPECT_TRUE(p) << p.error();
    port = p ? *p : 0;
  }
  ManualClock clock;
  std::unique_ptr<http::Server> server;
  std::uint16_t port = 0;
};

}  // namespace

TEST(HttpServer, AnswersKeepAliveAndPipelinedRequests) {
  Fixture f(http::Limits{});
  Client c(f.port);
  c.send(get("/hello") + get("/hello") + get("/nope"));
  auto a = c.response(), b = c.response(), n = c.response();
  EXPECT_EQ(status_of(a), 200) << a;
  EXPECT_NE(a.find("\r\n\r\nhi\n"), std::string::npos) << a;
  EXPECT_NE(a.find("Connection: keep-alive"), std::string::npos) << a;
  EXPECT_EQ(status_of(b), 200) << b;
  EXPECT_EQ(status_of(n), 404) << n;
  c.send("HEAD /hello HTTP/1.1\r\n\r\n");
  auto h = c.response(true);
  EXPECT_NE(h.find("Content-Length: 3"), std::string::npos) << h;
  EXPECT_EQ(h.find("hi"), std::string::npos) << "HEAD answers carry no body: " << h;
}

TEST(HttpServer, HeadDeadlineIsTotalNotRearmedByPartialReads) {
  http::Limits l;
  l.head_timeout = std::chrono::seconds(10);
  Fixture f(l);
  Client slow(f.port);
  slow.send("GET /hel");
  // One event loop: once a later connection is answered, the slow one was accepted and its
  // bytes seen.
  Client ok(f.port);
  ok.send(get("/hello"));
  ASSERT_EQ(status_of(ok.response()), 200);
  f.clock.advance(std::chrono::seconds(6));
  slow.send("lo HTTP/1.1\r\n");  // progress, but the head began 6 s ago
  ok.send(get("/hello"));
  ASSERT_EQ(status_of(ok.response()), 200);
  f.clock.advance(std::chrono::seconds(6));
  EXPECT_TRUE(slow.closed_by_server()) << "a trickling head outlived its deadline";
  // A prompt client is unaffected.
  ok.send(get("/hello"));
  EXPECT_EQ(status_of(ok.response()), 200);
}

TEST(HttpServer, ConnectionThatSendsNothingIsClosedAtTheHeadDeadline) {
  http::Limits l;
  l.head_timeout = std::chrono::seconds(10);
  Fixture f(l);
  Client idle(f.port);
  Client ok(f.port);
  ok.send(get("/hello"));
  ASSERT_EQ(status_of(ok.response()), 200);  // the server has accepted both by now
  f.clock.advance(std::chrono::seconds(11));
  EXPECT_TRUE(idle.closed_by_server());
}

TEST(HttpServer, ConnectionCapRefusesAtAcceptAndReportsSaturation) {
  http::Limits l;
  l.max_connections = 2;
  Fixture f(l);
  Client a(f.port), b(f.port);
  a.send(get("/hello"));
  b.send(get("/hello"));
  ASSERT_EQ(status_of(a.response()), 200);
  ASSERT_EQ(status_of(b.response()), 200);
  EXPECT_EQ(f.server->open_connections(), 2u);
  EXPECT_NE(f.server->saturation().find("2 of 2"), std::string::npos) << f.server->saturation();
  Client c(f.port);
  EXPECT_TRUE(c.closed_by_server());
  a.send(get("/hello", true));
  ASSERT_EQ(status_of(a.response()), 200);
  EXPECT_TRUE(a.closed_by_server());
}

TEST(HttpServer, PerClientShareLeavesRoomForOtherAddresses) {
  http::Limits l;
  l.max_connections = 10;
  l.max_connections_per_client = 2;
  Fixture f(l);
  Client a(f.port), b(f.port);
  a.send(get("/hello"));
  b.send(get("/hello"));
  ASSERT_EQ(status_of(a.response()), 200);
  ASSERT_EQ(status_of(b.response()), 200);
  Client third(f.port);  // same address, over its share
  EXPECT_TRUE(third.closed_by_server());
  Client other(f.port, "127.0.0.2");
  other.send(get("/hello"));
  EXPECT_EQ(status_of(other.response()), 200);
  EXPECT_TRUE(f.server->saturation().empty());
}

TEST(HttpServer, PendingConnectionsBoundedPerClient) {
  http::Limits l;
  l.max_pending_per_client = 2;
  Fixture f(l);
  Client idle1(f.port), idle2(f.port);  // connect, say nothing
  Client other(f.port, "127.0.0.2");
  other.send(get("/hello"));
  ASSERT_EQ(status_of(other.response()), 200);  // the loop has seen the connects before
  Client idle3(f.port);
  EXPECT_TRUE(idle3.closed_by_server());
}

TEST(ConnectionTable, ReservesRoomForEstablishedClients) {
  http::Limits l;
  l.max_connections = 4;
  l.reserved_for_established = 2;
  l.max_pending_per_client = 0;
  http::ConnectionTable t(l);
  auto a = asio::ip::make_address("10.0.0.1"), b = asio::ip::make_address("10.0.0.2");
  EXPECT_EQ(t.admit(a), http::Refusal::kNone);
  EXPECT_EQ(t.admit(b), http::Refusal::kNone);
  EXPECT_EQ(t.admit(b), http::Refusal::kPendingShare) << "2 pending + 2 reserved = 4";
  t.established(a);
  EXPECT_EQ(t.admit(b), http::Refusal::kNone);
  t.established(b);
  t.established(b);
  EXPECT_EQ(t.admit(a), http::Refusal::kNone);
  EXPECT_EQ(t.admit(b), http::Refusal::kMaxConnections);
  EXPECT_EQ(t.release(a, true), 3u);
  EXPECT_EQ(t.open_from(b), 2u);
  EXPECT_EQ(t.open_from(a), 1u);
  EXPECT_EQ(t.pending(), 0u);
}

TEST(HttpServer, HandlerExceptionsAndSilenceBecome500) {
  Fixture f(http::Limits{});
  Client c(f.port);
  c.send(get("/throw"));
  auto r = c.response();
  EXPECT_EQ(status_of(r), 500) << r;
  c.send(get("/silent"));
  EXPECT_EQ(status_of(c.response()), 500);
  c.send(get("/hello"));
  EXPECT_EQ(status_of(c.response()), 200) << "the connection survives a failed handler";
}

TEST(HttpServer, BodyLimits) {
  http::Limits l;
  l.max_body_bytes = 10;
  Fixture f(l);
  Client ok(f.port);
  ok.send("POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  auto r = ok.response();
  EXPECT_EQ(status_of(r), 200) << r;
  EXPECT_NE(r.find("\r\n\r\nhello"), std::string::npos) << r;
  Client big(f.port);
  big.send("POST /echo HTTP/1.1\r\nContent-Length: 20\r\n\r\n01234567890123456789");
  r = big.response();
  EXPECT_EQ(status_of(r), 413) << r;
  EXPECT_NE(r.find("Connection: close"), std::string::npos) << r;
  Client chunked(f.port);
  chunked.send(
      "POST /echo HTTP/1.1\r\nTransfer-Encoding: "
      "chunked\r\n\r\n14\r\n01234567890123456789\r\n0\r\n\r\n");
  EXPECT_EQ(status_of(chunked.response()), 413);

  Fixture none(http::Limits{});  // max_body_bytes 0: no bodies at all
  Client c(none.port);
  c.send("POST /echo HTTP/1.1\r\nContent-Length: 1\r\n\r\nx");
  r = c.response();
  EXPECT_EQ(status_of(r), 413) << r;
  EXPECT_NE(r.find("request bodies are not accepted"), std::string::npos) << r;
}

TEST(HttpServer, HeadOverTheLimitGets431) {
  http::Limits l;
  l.max_head_bytes = 1024;
  Fixture f(l);
  Client c(f.port);
  c.send("GET /hello HTTP/1.1\r\nX-Padding: " + std::string(4096, 'a') + "\r\n\r\n");
  EXPECT_EQ(status_of(c.response()), 431);
}

TEST(HttpServer, StopClosesIdleKeepAliveAndAnswersInFlightWithClose) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<http::Completion> held;
  http::Router r;
  r.get("/hello",
        http::respond_with([](const http::Request&) { return http::Response::text(200, "hi\n"); }));
  r.get("/later", [&](http::Request&, http::Exchange& ex) {
    std::lock_guard lock(mu);
    held.emplace(ex.defer());
    cv.notify_all();
  });
  Fixture f(http::Limits{}, r);
  Client idle(f.port), busy(f.port);
  idle.send(get("/hello"));
  ASSERT_EQ(status_of(idle.response()), 200);
  busy.send(get("/later"));
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return held.has_value(); });
  }
  // A drain far longer than any test: stop() returns only because the idle connection is
  // closed at once and the deferred request completes.
  auto stopped = std::async(std::launch::async, [&] { f.server->stop(std::chrono::hours(1)); });
  EXPECT_TRUE(idle.closed_by_server()) << "idle keep-alive connection left open during stop";
  {
    std::lock_guard lock(mu);
    (*held)(http::Response::text(200, "late\n"));
  }
  auto late = busy.response();
  EXPECT_EQ(status_of(late), 200) << late;
  EXPECT_NE(late.find("Connection: close"), std::string::npos) << late;
  stopped.get();
  EXPECT_FALSE(f.server->serving());
}

TEST(HttpServer, DroppedCompletionAnswers500) {
  http::Router r;
  r.get("/drop", [](http::Request&, http::Exchange& ex) {
    std::thread([c = ex.defer()]() mutable { (void)c; }).detach();
  });
  Fixture f(http::Limits{}, r);
  Client c(f.port);
  c.send(get("/drop"));
  EXPECT_EQ(status_of(c.response()), 500);
}

namespace {
class Lines final : public http::Stream {
 public:
  void start(std::function<void()> wake) override {
    std::lock_guard lock(mu_);
    wake_ = std::move(wake);
    lines_.insert(lines_.begin(), "a\n");
    wake_();
  }
  bool pull(std::string& out) override {
    std::lock_guard lock(mu_);
    for (auto& l : lines_) out += l;
    lines_.clear();
    return !ended_;
  }
  void push(std::string line, bool end) {
    std::lock_guard lock(mu_);
    lines_.push_back(std::move(line));
    ended_ = end;
    if (wake_) wake_();
  }
  void closed() override { closed_ = true; }
  std::atomic<bool> closed_{false};

 private:
  std::mutex mu_;
  std::function<void()> wake_;
  std::vector<std::string> lines_;
  bool ended_ = false;
};
}  // namespace

TEST(HttpServer, StreamsChunksUntilTheStreamEnds) {
  auto lines = std::make_shared<Lines>();
  http::Router r;
  r.get("/watch", [lines](http::Request&, http::Exchange& ex) {
    http::Response res;
    res.stream = lines;
    ex.respond(std::move(res));
  });
  Fixture f(http::Limits{}, r);
  Client c(f.port);
  c.send(get("/watch"));
  lines->push("b\n", true);
  auto all = c.until_eof();
  auto split = all.find("\r\n\r\n");
  ASSERT_NE(split, std::string::npos) << all;
  EXPECT_NE(all.substr(0, split).find("Transfer-Encoding: chunked"), std::string::npos) << all;
  // De-chunk: size line, data, CRLF ... until the zero-size last chunk.
  std::string rest = all.substr(split + 4), body;
  bool last = false;
  while (!rest.empty()) {
    auto eol = rest.find("\r\n");
    ASSERT_NE(eol, std::string::npos) << all;
    auto size = std::stoul(rest.substr(0, eol), nullptr, 16);
    if (size == 0) {
      last = rest.substr(eol) == "\r\n\r\n";
      break;
    }
    body += rest.substr(eol + 2, size);
    rest.erase(0, eol + 2 + size + 2);
  }
  EXPECT_EQ(body, "a\nb\n");
  EXPECT_TRUE(last) << "ends with the last chunk: " << all;
  EXPECT_TRUE(lines->closed_.load());
}

TEST(HttpServer, BindErrorNamesTheFlag) {
  http::ServerSettings s;
  s.listen = "256.0.0.1:80";
  s.listen_flag = "listen";
  http::Server server(s, hello(), quiet());
  auto res = server.start();
  ASSERT_FALSE(res);
  EXPECT_NE(res.error().find("--listen 256.0.0.1:80"), std::string::npos) << res.error();
}

TEST(HttpServer, SecondProcessOnTheSamePortIsRefused) {
  http::ServerSettings s;
  s.listen = "127.0.0.1:0";
  s.threads = 2;
  http::Server first(s, hello(), quiet());
  auto port = first.start();
  ASSERT_TRUE(port) << port.error();
  s.listen = "127.0.0.1:" + std::to_string(*port);
  http::Server second(s, hello(), quiet());
  EXPECT_FALSE(second.start()) << "SO_REUSEPORT let a second server join the port";
}

// The request rules, without sockets (what ferrum-ipxe-http's own parser asserted before).
TEST(HttpRequestRules, ParsesAGetWithHeaders) {
  auto r = http::parse_request(
      "GET /env/default/vmlinuz?x=1 HTTP/1.1\r\nHost: a\r\nRange:  bytes=0-9 \r\n\r\n",
      http::Limits{});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->path, "/env/default/vmlinuz");
  EXPECT_EQ(r->query, "x=1");
  EXPECT_EQ(r->header("range"), "bytes=0-9");
  EXPECT_EQ(r->header("Host"), "a");
  EXPECT_TRUE(r->keep_alive);
}

TEST(HttpRequestRules, KeepAliveRules) {
  EXPECT_FALSE(http::parse_request("GET / HTTP/1.0\r\n\r\n", {})->keep_alive);
  EXPECT_TRUE(
      http::parse_request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", {})->keep_alive);
  EXPECT_FALSE(http::parse_request("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", {})->keep_alive);
}

TEST(HttpRequestRules, PathDecodingKeepsPlus) {
  auto r = http::parse_request("GET /tftp/a+b%20c HTTP/1.1\r\n\r\n", {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->path, "/tftp/a+b c");
}

TEST(HttpRequestRules, Rejections) {
  struct Case {
    const char* head;
    int status;
  } cases[] = {
      {"GET /ipxe HTTP/2.0\r\n\r\n", 505},
      {"GET ipxe HTTP/1.1\r\n\r\n", 400},
      {"GET /a b HTTP/1.1\r\n\r\n", 400},
      {"GET /%zz HTTP/1.1\r\n\r\n", 400},
      {"GET /%00 HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", 413},
      {"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 413},
      {"GET / HTTP/1.1\r\nno colon\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400},
  };
  for (const auto& c : cases) {
    auto r = http::parse_request(c.head, http::Limits{});
    ASSERT_FALSE(r.has_value()) << c.head;
    EXPECT_EQ(r.error().status, c.status) << c.head;
    EXPECT_FALSE(r.error().message.empty());
  }
  http::Limits small;
  small.max_head_bytes = 64;
  auto r = http::parse_request("GET / HTTP/1.1\r\nX: " + std::string(100, 'a') + "\r\n\r\n", small);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().status, 431);
}

TEST(HttpRouter, MethodsAndNotFound) {
  struct Capture final : http::Exchange {
    void respond(http::Response r) override { got = std::move(r); }
    http::Completion defer() override { return {}; }
    http::Response got;
  };
  http::Router router;
  router.not_found_text("try /a\n");
  router.get("/a", http::respond_with(
                       [](const http::Request&) { return http::Response::text(200, "a"); }));
  router.prefix({"GET"}, "/p/", http::respond_with([](const http::Request&) {
                  return http::Response::text(200, "p");
                }));
  router.prefix({"GET"}, "/p/long/", http::respond_with([](const http::Request&) {
                  return http::Response::text(200, "long");
                }));
  auto call = [&](std::string method, std::string path) {
    http::Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    Capture ex;
    router(req, ex);
    return ex.got;
  };
  EXPECT_EQ(call("GET", "/a").body, "a");
  EXPECT_EQ(call("HEAD", "/a").status, 200);
  auto r = call("POST", "/a");
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[1].second, "GET, HEAD");
  EXPECT_EQ(call("GET", "/p/x").body, "p");
  EXPECT_EQ(call("GET", "/p/long/x").body, "long");
  EXPECT_EQ(call("GET", "/b").body, "try /a\n");
  EXPECT_EQ(call("GET", "/b").status, 404);
  EXPECT_EQ(http::status_text(412), "Precondition Failed");
}
