#pragma once
// Runs one daemon's *App in this process as daemon_main would (admin server first, then the
// app's parts), against a real ferrum-apiserver with Ferrum's and Cluster API's CRDs, so a
// test can start the wiring on port 0, ask /readyz or send one request, and stop it.

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "../kube/apiserver_process.hpp"
#include "ferrum/daemon.hpp"
#include "ferrum/kube/client.hpp"

namespace apptest {

using namespace std::chrono_literals;

// One ferrum-apiserver per test process (every test of an app needs one; starting it is the
// slow part).
inline kubeit::ApiServer& api_server() {
  // A static object, not a leaked pointer: its destructor at exit kills the apiserver process
  // and removes its data directory, so no test leaves a process running.
  static kubeit::ApiServer server(
      {std::string("--crd-dir=") + FERRUM_SOURCE_DIR + "/charts/ferrum/crds",
       std::string("--crd-dir=") + FERRUM_SOURCE_DIR + "/charts/ferrum/crds-capi"});
  static const bool started = (server.start(), true);
  (void)started;
  return server;
}

// Whether 127.0.0.1:<port> can be bound again (its listener was closed).
inline bool port_free(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

class AppHarness {
 public:
  AppHarness()
      : common_{"127.0.0.1:0", "json", "warn", std::chrono::seconds(5)},
        runtime_("test", common_),
        parts_(runtime_.logger("parts")) {
    ferrum::add_admin_part(parts_, runtime_);
  }

  ferrum::DaemonRuntime& runtime() { return runtime_; }
  ferrum::RunnableGroup& parts() { return parts_; }
  kubeit::ApiServer& api() { return api_server(); }
  ferrum::kube::Client& client() {
    if (!client_) client_ = std::make_unique<ferrum::kube::RestClient>(api().config());
    return *client_;
  }

  // Makes the app, owned here so that the parts stop before it goes (even when a test
  // fails half-way).
  template <typename App, typename... Args>
  App& emplace(Args&&... args) {
    auto app = std::make_unique<App>(std::forward<Args>(args)...);
    App& ref = *app;
    app_ = std::move(app);
    return ref;
  }
  // Adds the app's parts and starts everything; empty on success.
  std::string start() {
    app_->add_parts(parts_);
    return parts_.start();
  }
  void stop() { parts_.stop(std::chrono::steady_clock::now() + 5s); }

  std::uint16_t admin_port() { return runtime_.admin().port(); }
  // GET http://127.0.0.1:<port><path>: the status code (0: no answer) and body.
  static std::pair<long, std::string> get(std::uint16_t port, const std::string& path) {
    std::string body;
    CURL* c = curl_easy_init();
    std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
    curl_easy_setopt(
        c, CURLOPT_WRITEFUNCTION, +[](char* p, size_t n, size_t m, void* out) -> size_t {
          static_cast<std::string*>(out)->append(p, n * m);
          return n * m;
        });
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    long code = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    return {code, body};
  }
  // A start that must fail on `flag` ("in use": a port a test took) and leave nothing
  // running: no part counted as started, the admin server's port closed again.
  void expect_failed_start_undone(const std::string& flag) {
    auto err = start();
    EXPECT_NE(err.find(flag), std::string::npos) << err;
    EXPECT_NE(err.find("in use"), std::string::npos) << err;
    EXPECT_TRUE(parts_.started().empty());
    ASSERT_NE(admin_port(), 0);
    EXPECT_TRUE(port_free(admin_port()));
  }
  // Waits (bounded) until /readyz answers 200; returns its last answer.
  std::pair<long, std::string> wait_ready() {
    std::pair<long, std::string> last;
    kubeit::eventually([&] {
      last = get(admin_port(), "/readyz");
      return last.first == 200;
    });
    return last;
  }

 private:
  ferrum::DaemonCommon common_;
  ferrum::DaemonRuntime runtime_;
  std::unique_ptr<ferrum::kube::RestClient> client_;
  std::unique_ptr<ferrum::DaemonApp> app_;
  ferrum::RunnableGroup parts_;  // declared last: destroyed (stopped) first
};

// A TCP port held by this test (listening on 127.0.0.1), to make a later part's bind fail.
class TakenPort {
 public:
  TakenPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 1);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~TakenPort() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace apptest
