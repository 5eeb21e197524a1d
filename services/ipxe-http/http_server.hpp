#pragma once
// A small HTTP/1.1 server for iPXE clients and asset downloads: GET/HEAD, keep-alive,
// pipelining, file bodies with sendfile(2).
//
// Contract: start() binds `listen` once per worker thread with SO_REUSEPORT (each worker has
// its own event loop and accept queue, as nginx's workers do; port 0 picks one free port for
// all). Bounds: request head <= 8 KiB (431), no request bodies, `header_timeout` to receive a
// whole head, `idle_timeout` between requests on a kept-alive connection, `write_timeout`
// without write progress, at most `max_connections` open (extra ones are closed at accept).
// The handler runs on a worker thread and must not block. stop() closes the listeners, lets
// open connections finish for `drain`, then closes them.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ferrum/expected.hpp"
#include "ferrum/log.hpp"
#include "http_message.hpp"

namespace ferrum::ipxe {

// An open file region to send after the head; the fd is owned (closed by the server).
struct FileBody {
  int fd = -1;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Instead of body: sent from where it is, not copied (a cached decision's script).
  std::shared_ptr<const std::string> shared_body;
  std::optional<FileBody> file;  // instead of body
  // Called with the bytes of the body actually written (metrics).
  std::function<void(std::uint64_t)> on_sent;

  static HttpResponse text(int status, std::string body);
  // The body, whichever of the two members holds it (not the file).
  std::string_view body_text() const { return shared_body ? *shared_body : body; }
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerSettings {
  std::string listen = "0.0.0.0:8081";
  int workers = 2;
  std::size_t max_connections = 4096;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds write_timeout{60'000};
};

class HttpServer {
 public:
  HttpServer(HttpServerSettings settings, HttpHandler handler, log::Logger log);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving; the error names the address and the reason.
  Expected<std::uint16_t, std::string> start();
  void stop(std::chrono::milliseconds drain);
  std::uint16_t port() const { return port_; }
  std::size_t open_connections() const { return open_.load(); }
  bool serving() const { return serving_.load(); }

 private:
  class Worker;
  class Connection;
  HttpServerSettings settings_;
  HttpHandler handler_;
  log::Logger log_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::uint16_t port_ = 0;
  std::atomic<std::size_t> open_{0};
  std::atomic<bool> serving_{false};
};

}  // namespace ferrum::ipxe
