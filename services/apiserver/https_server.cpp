#include "https_server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <thread>
#include <vector>

#include "ferrum/net.hpp"
#include "request_info.hpp"

namespace ferrum::apiserver {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

class HttpsServer::Impl {
 public:
  Impl(HttpsSettings s, const Credentials& creds, ApiHandler& handler, log::Logger log, metrics::Registry& reg)
      : settings_(std::move(s)),
        handler_(handler),
        log_(std::move(log)),
        ssl_(ssl::context::tls_server),
        acceptor_(ioc_),
        connections_(reg.gauge("ferrum_apiserver_connections", "Open client connections.").get()),
        rejected_(reg.counter("ferrum_apiserver_connections_rejected_total",
                              "Connections closed at accept because --max-connections was reached.")
                      .get()) {
    ssl_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    ssl_.use_certificate_chain(asio::buffer(creds.cert_pem));
    ssl_.use_private_key(asio::buffer(creds.key_pem), ssl::context::pem);
  }

  Expected<std::uint16_t, std::string> bind() {
    return net::listen_tcp(acceptor_, settings_.listen, "listen");
  }

  void run() {
    accept();
    for (int i = 0; i < std::max(1, settings_.threads); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
  }

  void stop(std::chrono::milliseconds drain) {
    asio::post(ioc_, [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    auto deadline = std::chrono::steady_clock::now() + drain;
    while (busy_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  class Session;

  void accept();

  // Order matters: ioc_ destroys pending sessions, which use the members above it.
  HttpsSettings settings_;
  ApiHandler& handler_;
  log::Logger log_;
  std::atomic<int> open_{0};
  std::atomic<int> busy_{0};  // requests being answered (not idle keep-alive, not watches)
  ssl::context ssl_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  metrics::Gauge& connections_;
  metrics::Counter& rejected_;
  std::vector<std::thread> threads_;
};

class HttpsServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& impl, tcp::socket socket) : impl_(impl), stream_(std::move(socket), impl.ssl_) {
    impl_.open_.fetch_add(1);
    impl_.connections_.inc();
  }
  ~Session() {
    if (watch_) impl_.handler_.stop_watch(watch_.get());
    impl_.open_.fetch_sub(1);
    impl_.connections_.dec();
  }

  void start() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;  // a client that cannot speak TLS: nothing to answer
      self->read();
    });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(64 * 1024);
    parser_->body_limit(impl_.settings_.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(impl_.settings_.read_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      auto e = ApiError::too_large("the request body is larger than --max-body-bytes (" +
                                   std::to_string(impl_.settings_.max_body_bytes) + " bytes)");
      write(ApiHandler::error_response(e), false, /*linger=*/true);
      return;
    }
    if (ec == http::error::header_limit) {
      write(ApiHandler::error_response(ApiError{431, "RequestHeaderFieldsTooLarge", "request headers are too large"}),
            false);
      return;
    }
    if (ec) return;  // closed, timed out, or not HTTP
    auto msg = parser_->release();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.content_type = std::string(msg[http::field::content_type]);
    req.accept = std::string(msg[http::field::accept]);
    req.authorization = std::string(msg[http::field::authorization]);
    req.body = std::move(msg.body());
    keep_alive_ = msg.keep_alive();

    std::string path = req.target.substr(0, req.target.find('?'));
    bool open_path = path == "/healthz" || path == "/livez" || path == "/readyz" || path == "/version";
    if (!open_path && !impl_.handler_.authorized(req)) {
      write(ApiHandler::error_response(ApiError::unauthorized()), keep_alive_);
      return;
    }
    if (impl_.handler_.is_watch(req)) {
      auto ws = impl_.handler_.open_watch(req);
      if (!ws) {
        write(std::move(ws.error()), keep_alive_);
        return;
      }
      auto q = parse_query(req.target);
      bookmarks_ = q.count("allowWatchBookmarks") && (q["allowWatchBookmarks"] == "true" || q["allowWatchBookmarks"] == "True");
      auto timeout = impl_.settings_.watch_timeout;
      if (q.count("timeoutSeconds")) {
        try {
          timeout = std::chrono::seconds(std::stoll(q["timeoutSeconds"]));
        } catch (const std::exception&) {
          write(ApiHandler::error_response(ApiError::bad_request("timeoutSeconds: not an integer")), keep_alive_);
          return;
        }
      }
      start_watch(std::move(*ws), timeout);
      return;
    }
    impl_.busy_.fetch_add(1);
    auto self = shared_from_this();
    impl_.handler_.handle(std::move(req), [self](HttpResponse r) {
      // May run on the store's committer thread: hop back onto this connection's strand.
      asio::post(self->stream_.get_executor(), [self, r = std::move(r)]() mutable {
        self->impl_.busy_.fetch_sub(1);
        self->write(std::move(r), self->keep_alive_);
      });
    });
  }

  // linger: after the answer, read and discard what the client is still sending (bounded in
  // bytes and time) before closing, so it sees the answer instead of a reset.
  void write(HttpResponse r, bool keep_alive, bool linger = false) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
    res->set(http::field::content_type, r.content_type);
    res->set(http::field::cache_control, "no-cache, private");
    for (auto& [k, v] : r.headers) res->insert(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(impl_.settings_.read_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res, linger](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (linger) {
        beast::get_lowest_layer(self->stream_).expires_after(std::chrono::seconds(5));
        self->discard(0);
        return;
      }
      if (!res->keep_alive()) {
        self->shutdown();
        return;
      }
      self->read();
    });
  }

  void discard(std::size_t total) {
    constexpr std::size_t kMaxDiscard = 64 * 1024 * 1024;
    if (total > kMaxDiscard) return shutdown();
    stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this(), total](beast::error_code ec, std::size_t n) {
      if (ec) return self->shutdown();
      self->discard(total + n);
    });
  }

  void shutdown() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
  }

  // --- watches ---
  void start_watch(std::shared_ptr<WatchStream> ws, std::chrono::milliseconds timeout) {
    watch_ = std::move(ws);
    beast::get_lowest_layer(stream_).expires_never();
    auto res = std::make_shared<http::response<http::empty_body>>(http::status::ok, 11);
    res->set(http::field::content_type, "application/json");
    res->set(http::field::cache_control, "no-cache, private");
    res->chunked(true);
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    writing_ = true;
    http::async_write_header(stream_, *sr, [self = shared_from_this(), res, sr](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) return self->end_watch();
      std::weak_ptr<Session> weak = self;
      self->watch_->set_notify([weak] {
        if (auto s = weak.lock()) asio::post(s->stream_.get_executor(), [s] { s->pump(); });
      });
      self->watch_for_disconnect();
      self->pump();
    });
    watch_timer_.emplace(stream_.get_executor());
    watch_timer_->expires_after(timeout);
    watch_timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->finish_watch();
    });
    if (bookmarks_) schedule_bookmark();
  }

  void schedule_bookmark() {
    bookmark_timer_.emplace(stream_.get_executor());
    bookmark_timer_->expires_after(impl_.settings_.bookmark_interval);
    bookmark_timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || !self->watch_) return;
      self->extra_ += self->watch_->bookmark_line();
      self->pump();
      self->schedule_bookmark();
    });
  }

  // Watch clients send nothing; a completed read means they went away.
  void watch_for_disconnect() {
    stream_.async_read_some(asio::buffer(probe_), [self = shared_from_this()](beast::error_code, std::size_t) {
      self->end_watch();
    });
  }

  void pump() {
    if (!watch_) return;
    if (writing_) {
      // A watcher whose buffer overflowed is closed at once, even with a write in flight
      // (one a stalled client may never complete): what it holds is freed now.
      if (watch_->overflowed()) end_watch();
      return;
    }
    std::string out = std::move(extra_);
    extra_.clear();
    bool ok = watch_->drain(out);
    if (out.empty()) {
      if (!ok) finish_watch();
      return;
    }
    auto buf = std::make_shared<std::string>(std::move(out));
    writing_ = true;
    asio::async_write(stream_, http::make_chunk(asio::buffer(*buf)),
                      [self = shared_from_this(), buf, ok](beast::error_code ec, std::size_t) {
                        self->writing_ = false;
                        if (ec) return self->end_watch();
                        if (!ok) return self->finish_watch();
                        self->pump();
                      });
  }

  // Ends the response properly (last chunk), then closes.
  void finish_watch() {
    if (!watch_ || finishing_) return;
    finishing_ = true;
    auto self = shared_from_this();
    auto done = [self] {
      asio::async_write(self->stream_, http::make_chunk_last(), [self](beast::error_code, std::size_t) {
        self->end_watch();
        self->shutdown();
      });
    };
    if (writing_) {
      // Let the write in flight finish first.
      asio::post(stream_.get_executor(), [self] {
        self->finishing_ = false;
        self->finish_watch();
      });
      return;
    }
    writing_ = true;
    done();
  }

  void end_watch() {
    if (!watch_) return;
    impl_.handler_.stop_watch(watch_.get());
    watch_->set_notify(nullptr);
    watch_.reset();
    if (watch_timer_) watch_timer_->cancel();
    if (bookmark_timer_) bookmark_timer_->cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  Impl& impl_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  std::shared_ptr<WatchStream> watch_;
  bool bookmarks_ = false;
  bool writing_ = false;
  bool finishing_ = false;
  std::string extra_;
  std::array<char, 1> probe_{};
  std::array<char, 16 * 1024> scratch_{};
  std::optional<asio::steady_timer> watch_timer_;
  std::optional<asio::steady_timer> bookmark_timer_;
};

void HttpsServer::Impl::accept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (!ec) {
      if (static_cast<std::size_t>(open_.load()) >= settings_.max_connections) {
        rejected_.inc();
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        // Watch events are small writes: without TCP_NODELAY, Nagle plus the client's delayed
      // ACK holds them for up to 40 ms.
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(*this, std::move(socket))->start();
      }
    }
    accept();
  });
}


HttpsServer::HttpsServer(HttpsSettings settings, const Credentials& creds, ApiHandler& handler, log::Logger log,
                         metrics::Registry& registry)
    : impl_(std::make_unique<Impl>(std::move(settings), creds, handler, std::move(log), registry)) {}

HttpsServer::~HttpsServer() = default;

Expected<std::uint16_t, std::string> HttpsServer::start() {
  auto port = impl_->bind();
  if (!port) return port;
  port_ = *port;
  impl_->run();
  return port_;
}

void HttpsServer::stop(std::chrono::milliseconds drain) { impl_->stop(drain); }

}  // namespace ferrum::apiserver
