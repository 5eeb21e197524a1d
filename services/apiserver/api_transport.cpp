#include "api_transport.hpp"

#include "request_info.hpp"
#include "watch_stream.hpp"

namespace ferrum::apiserver {

namespace {

http::Response to_http(HttpResponse r) {
  http::Response out;
  out.status = r.status;
  out.headers.reserve(r.headers.size() + 2);
  out.headers.emplace_back("Content-Type", std::move(r.content_type));
  out.headers.emplace_back("Cache-Control", "no-cache, private");
  for (auto& h : r.headers) out.headers.push_back(std::move(h));
  out.body = std::move(r.body);
  return out;
}

// A watch as a chunked stream: the store offers events on its committer thread and wakes the
// connection; the connection drains them on its own thread.
class WatchChunks final : public http::Stream {
 public:
  WatchChunks(ApiHandler& handler, std::shared_ptr<WatchStream> ws, bool bookmarks)
      : handler_(handler), ws_(std::move(ws)), bookmarks_(bookmarks) {}
  ~WatchChunks() override { closed(); }

  void start(std::function<void()> wake) override { ws_->set_notify(std::move(wake)); }
  bool pull(std::string& out) override { return ws_->drain(out); }
  void tick(std::string& out) override {
    if (bookmarks_) out += ws_->bookmark_line();
  }
  // A watcher over its buffer bound is dropped even mid-write, as kube-apiserver's cacher
  // terminates a blocked watcher (the client re-watches or relists).
  bool abandoned() const override { return ws_->overflowed(); }
  void closed() override {
    if (done_) return;
    done_ = true;
    handler_.stop_watch(ws_.get());
    ws_->set_notify(nullptr);
  }

 private:
  ApiHandler& handler_;
  std::shared_ptr<WatchStream> ws_;
  bool bookmarks_;
  bool done_ = false;
};

bool open_path(std::string_view path) {
  return path == "/healthz" || path == "/livez" || path == "/readyz" || path == "/version";
}

}  // namespace

http::ServerSettings api_server_settings(const TransportSettings& t, const Credentials& creds,
                                         metrics::Registry& registry) {
  http::ServerSettings s;
  s.listen = t.listen;
  s.threads = t.threads;
  s.tls = http::TlsSettings{creds.cert_pem, creds.key_pem};
  s.registry = &registry;
  s.metrics_prefix = "ferrum_apiserver";
  s.limits.max_connections = t.max_connections;
  s.limits.max_pending_per_client = t.max_handshakes_per_client;
  s.limits.reserved_for_established = t.reserved_connections;
  s.limits.handshake_timeout = t.handshake_timeout;
  s.limits.head_timeout = t.request_timeout;
  s.limits.idle_timeout = t.request_timeout;
  s.limits.body_timeout = t.request_timeout;
  s.limits.write_timeout = t.request_timeout;
  s.limits.max_head_bytes = 64 * 1024;
  s.limits.max_body_bytes = t.max_body_bytes;
  auto max_body = t.max_body_bytes;
  s.error_response = [max_body](int status, std::string message) {
    ApiError e{status, "BadRequest", std::move(message)};
    if (status == 413) {
      e = ApiError::too_large("the request body is larger than --max-body-bytes (" +
                              std::to_string(max_body) + " bytes)");
    } else if (status == 431) {
      e = ApiError{431, "RequestHeaderFieldsTooLarge", "request headers are too large"};
    } else if (status >= 500) {
      e.reason = "InternalError";
    }
    return to_http(ApiHandler::error_response(e));
  };
  return s;
}

http::Handler api_routes(ApiHandler& handler, const TransportSettings& t) {
  auto watch_timeout = t.watch_timeout;
  auto bookmark_interval = t.bookmark_interval;
  return [&handler, watch_timeout, bookmark_interval](http::Request& in, http::Exchange& ex) {
    HttpRequest req;
    req.method = std::move(in.method);
    req.target = std::move(in.target);
    req.content_type = std::string(in.header("Content-Type"));
    req.accept = std::string(in.header("Accept"));
    req.authorization = std::string(in.header("Authorization"));
    req.body = std::move(in.body);
    if (!open_path(in.path) && !handler.authorized(req)) {
      return ex.respond(to_http(ApiHandler::error_response(ApiError::unauthorized())));
    }
    if (handler.is_watch(req)) {
      auto ws = handler.open_watch(req);
      if (!ws) return ex.respond(to_http(std::move(ws.error())));
      auto q = parse_query(req.target);
      bool bookmarks = q.count("allowWatchBookmarks") &&
                       (q["allowWatchBookmarks"] == "true" || q["allowWatchBookmarks"] == "True");
      auto timeout = watch_timeout;
      if (q.count("timeoutSeconds")) {
        try {
          timeout = std::chrono::seconds(std::stoll(q["timeoutSeconds"]));
        } catch (const std::exception&) {
          handler.stop_watch(ws->get());
          return ex.respond(to_http(
              ApiHandler::error_response(ApiError::bad_request("timeoutSeconds: not an integer"))));
        }
      }
      http::Response r;
      r.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-cache, private"}};
      r.stream = std::make_shared<WatchChunks>(handler, std::move(*ws), bookmarks);
      // timeoutSeconds=0 ends the watch at once, as it always did here.
      r.stream_timeout = std::max(timeout, std::chrono::milliseconds(1));
      r.tick_interval = bookmark_interval;
      return ex.respond(std::move(r));
    }
    // The store may answer on its committer thread; the Completion brings it back.
    handler.handle(std::move(req), [done = std::make_shared<http::Completion>(ex.defer())](
                                       HttpResponse r) { (*done)(to_http(std::move(r))); });
  };
}

}  // namespace ferrum::apiserver
