// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
// clang-format on
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <thread>
#include <unordered_set>

#include "ferrum/http/server.hpp"
#include "ferrum/net.hpp"
#include "http_head.hpp"

namespace ferrum::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using MonoTime = Clock::MonoTime;

namespace {
constexpr MonoTime kNever = MonoTime::max();
constexpr std::size_t kReadChunk = 16 * 1024;

bool has_body(const detail::RequestParser& p) {
  return p.chunked() || (p.content_length() && *p.content_length() > 0);
}
}  // namespace

// What the workers and every session share; sessions and deferred answers keep it alive.
class Server::State {
 public:
  State(ServerSettings s, Handler h, log::Logger l)
      : settings(std::move(s)),
        handler(std::move(h)),
        log(std::move(l)),
        clock(settings.clock ? *settings.clock : real_clock()),
        table(settings.limits) {
    if (settings.threads < 1) settings.threads = 1;
    if (settings.registry && !settings.metrics_prefix.empty()) {
      open_gauge =
          &settings.registry
               ->gauge(settings.metrics_prefix + "_open_connections", "Open HTTP connections.")
               .get();
      rejected = &settings.registry->counter(
          settings.metrics_prefix + "_connections_rejected_total",
          "Connections closed at accept, by the bound that refused them (max_connections, "
          "per_client, pending_per_client, pending_share).",
          {"reason"});
    }
  }

  Response error(int status, std::string message) const {
    if (settings.error_response) return settings.error_response(status, std::move(message));
    return Response::text(status, std::move(message) + "\n");
  }

  void closed_one(const asio::ip::address& remote, bool pending) {
    auto left = table.release(remote, pending);
    if (open_gauge) open_gauge->dec();
    if (left == 0 && stopping.load()) {
      std::lock_guard lock(mu);
      drained.notify_all();
    }
  }

  ServerSettings settings;
  Handler handler;
  log::Logger log;
  Clock& clock;
  ConnectionTable table;
  std::optional<ssl::context> tls;
  std::atomic<bool> serving{false};
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable drained;
  metrics::Gauge* open_gauge = nullptr;
  metrics::Family<metrics::Counter>* rejected = nullptr;
};

// A connection as its worker sees it (deadline sweep, shutdown).
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void expire_if(MonoTime now) = 0;
  virtual void on_stop() = 0;
  virtual void close() = 0;
};

// One event loop with its own listener; sessions accepted here run here only, so nothing in
// a session needs a lock or a strand.
class Server::Worker : public std::enable_shared_from_this<Server::Worker> {
 public:
  explicit Worker(std::shared_ptr<State> s)
      : state(std::move(s)), acceptor(ioc), sweep_timer(ioc) {}

  Expected<std::uint16_t, std::string> bind(const tcp::endpoint& ep, bool reuse_port) {
    error_code ec;
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && reuse_port) {
      int one = 1;
      if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        ec = error_code(errno, boost::system::system_category());
      }
    }
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return unexpected(ec.message());
    return acceptor.local_endpoint().port();
  }

  void run() {
    accept();
    sweep();
    thread = std::thread([this] { ioc.run(); });
  }

  void begin_stop() {
    asio::post(ioc, [self = shared_from_this()] {
      error_code ignored;
      self->acceptor.close(ignored);
      for (auto* s : std::vector<SessionBase*>(self->sessions.begin(), self->sessions.end())) {
        s->on_stop();
      }
    });
  }

  void force_stop() {
    asio::post(ioc, [self = shared_from_this()] {
      error_code ignored;
      self->acceptor.close(ignored);
      self->sweep_timer.cancel();
      for (auto* s : std::vector<SessionBase*>(self->sessions.begin(), self->sessions.end())) {
        s->close();
      }
      // Runs after the handlers the closes queued (one thread, FIFO): sessions end normally.
      asio::post(self->ioc, [self] { self->ioc.stop(); });
    });
  }

  void join() {
    if (thread.joinable()) thread.join();
  }

  // Order matters: sessions still queued in ioc are destroyed with it and touch `sessions`
  // and `state`, so those are declared (and destroyed) on the far side of it.
  std::shared_ptr<State> state;
  std::unordered_set<SessionBase*> sessions;
  asio::io_context ioc{1};
  tcp::acceptor acceptor;
  asio::steady_timer sweep_timer;
  std::thread thread;

 private:
  void accept();
  void sweep() {
    sweep_timer.expires_after(kDeadlineSweepInterval);
    sweep_timer.async_wait([this](error_code ec) {
      if (ec) return;
      auto now = state->clock.monotonic();
      for (auto* s : std::vector<SessionBase*>(sessions.begin(), sessions.end())) s->expire_if(now);
      sweep();
    });
  }
};

namespace {

struct PlainTransport {
  static constexpr bool kTls = false;
  PlainTransport(tcp::socket s, Server::State&) : sock(std::move(s)) {}
  tcp::socket& socket() { return sock; }
  tcp::socket sock;
};

struct TlsTransport {
  static constexpr bool kTls = true;
  TlsTransport(tcp::socket s, Server::State& st);
  tcp::socket& socket() { return stream.next_layer(); }
  ssl::stream<tcp::socket> stream;
};

}  // namespace

namespace {

TlsTransport::TlsTransport(tcp::socket s, Server::State& st) : stream(std::move(s), *st.tls) {}

template <class T>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<T>> {
 public:
  Session(Server::Worker& w, tcp::socket s, asio::ip::address remote)
      : w_(w), st_(*w.state), t_(std::move(s), *w.state), remote_(std::move(remote)) {
    w_.sessions.insert(this);
    error_code ignored;
    // Small responses and watch events must not wait for Nagle plus a delayed ACK.
    t_.socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (!T::kTls) t_.socket().non_blocking(true, ignored);
  }

  ~Session() override {
    w_.sessions.erase(this);
    if (res_.file && res_.file->fd >= 0) ::close(res_.file->fd);
    end_stream();
    st_.closed_one(remote_, pending_);
  }

  void start() {
    auto now = st_.clock.monotonic();
    if constexpr (T::kTls) {
      phase_ = Phase::kHandshake;
      deadline_ = now + st_.settings.limits.handshake_timeout;
      t_.stream.async_handshake(ssl::stream_base::server,
                                [self = this->shared_from_this()](error_code ec) {
                                  if (ec) return self->close();  // cannot speak TLS: nothing to say
                                  self->established();
                                  self->new_request(true);
                                });
    } else {
      // The first head's deadline counts from the accept: a connection that sends nothing
      // holds its slot no longer than one that trickles.
      deadline_ = now + st_.settings.limits.head_timeout;
      new_request(true);
    }
  }

  void expire_if(MonoTime now) override {
    if (!closed_ && now >= deadline_) close();
  }

  void on_stop() override {
    // Connections with nothing of a request yet (idle keep-alive, fresh connects) close now;
    // a request under way is answered with "Connection: close"; streams end properly.
    bool nothing_yet = phase_ == Phase::kIdle || phase_ == Phase::kHandshake ||
                       (phase_ == Phase::kHead && buf_.size() == 0 && !started_head_);
    if (nothing_yet) {
      close();
    } else if (phase_ == Phase::kStreaming) {
      finish_stream();
    }
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    end_stream();
    error_code ignored;
    t_.socket().close(ignored);
  }

  // Delivers a deferred answer (Completion) on this session's thread.
  class Pending final : public detail::PendingAnswer {
   public:
    Pending(std::shared_ptr<Session> s, std::shared_ptr<Server::Worker> w)
        : s_(std::move(s)), w_(std::move(w)) {}
    ~Pending() override {
      if (s_) complete(s_->st_.error(500, "request dropped by its handler"));
    }
    void complete(Response r) override {
      if (!s_) return;
      // Both references move into the queued call: the session is only ever released on its
      // own thread (or with the loop itself).
      auto& ioc = w_->ioc;
      asio::post(ioc, [s = std::move(s_), w = std::move(w_), r = std::move(r)]() mutable {
        s->send(std::move(r));
      });
    }

   private:
    std::shared_ptr<Session> s_;
    std::shared_ptr<Server::Worker> w_;
  };

 private:
  enum class Phase { kHandshake, kIdle, kHead, kBody, kHandler, kWriting, kStreaming, kLinger };

  class Ex final : public Exchange {
   public:
    explicit Ex(Session& s) : s_(s) {}
    void respond(Response r) override {
      if (answered_) return;
      answered_ = true;
      s_.send(std::move(r));
    }
    Completion defer() override {
      if (answered_) return {};
      answered_ = true;
      return Completion(std::make_unique<Pending>(s_.shared_from_this(), s_.w_.shared_from_this()));
    }
    bool answered() const { return answered_; }

   private:
    Session& s_;
    bool answered_ = false;
  };

  void established() {
    if (!pending_) return;
    pending_ = false;
    st_.table.established(remote_);
  }

  void new_request(bool first) {
    parser_.emplace();
    started_head_ = false;
    detail::init_parser(*parser_, st_.settings.limits);
    head_checked_ = false;
    auto now = st_.clock.monotonic();
    if (first && !T::kTls) {
      phase_ = Phase::kHead;  // deadline set at accept
    } else if (buf_.size() > 0) {
      phase_ = Phase::kHead;  // pipelined: the head has begun
      deadline_ = now + st_.settings.limits.head_timeout;
    } else {
      phase_ = Phase::kIdle;
      deadline_ =
          now + (first ? st_.settings.limits.head_timeout : st_.settings.limits.idle_timeout);
      if (st_.stopping.load()) return close();
    }
    if (!parse()) read_more();
  }

  void read_more() {
    if (closed_) return;
    if constexpr (T::kTls) {
      t_.stream.async_read_some(buf_.prepare(kReadChunk),
                                [self = this->shared_from_this()](error_code ec, std::size_t n) {
                                  if (ec) return self->close();
                                  self->buf_.commit(n);
                                  self->on_bytes();
                                });
    } else {
      // Wait for readability, then read: an async read would first try a recv that, right
      // after a response, nearly always fails with EAGAIN (one system call per request).
      t_.sock.async_wait(tcp::socket::wait_read, [self = this->shared_from_this()](error_code ec) {
        if (ec) return self->close();
        std::size_t n = self->t_.sock.read_some(self->buf_.prepare(kReadChunk), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again)
          return self->read_more();
        if (ec) return self->close();
        self->buf_.commit(n);
        self->on_bytes();
      });
    }
  }

  void on_bytes() {
    started_head_ = true;
    if (phase_ == Phase::kIdle) {
      // One deadline for the whole head, from its first byte; partial reads never extend it.
      phase_ = Phase::kHead;
      deadline_ = st_.clock.monotonic() + st_.settings.limits.head_timeout;
    }
    if (!parse()) read_more();
  }

  // Feeds buffered bytes to the parser; true when it led to an answer (or a close).
  bool parse() {
    while (buf_.size() > 0) {
      error_code ec;
      auto n = parser_->put(buf_.data(), ec);
      buf_.consume(n);
      if (ec == bhttp::error::need_more) return false;
      if (ec) {
        auto d = buf_.data();
        auto e =
            detail::parse_error(ec, st_.settings.limits,
                                std::string_view(static_cast<const char*>(d.data()), d.size()));
        refuse(e.status, std::move(e.message));
        return true;
      }
      if (parser_->is_header_done() && !head_checked_) {
        head_checked_ = true;
        if (!check_head()) return true;
      }
      if (parser_->is_done()) {
        dispatch();
        return true;
      }
    }
    return false;
  }

  bool check_head() {
    established();  // a complete head: a client, not a connect that holds a slot
    if (auto e = detail::check_head(*parser_, st_.settings.limits, target_)) {
      refuse(e->status, std::move(e->message));
      return false;
    }
    if (has_body(*parser_)) {
      phase_ = Phase::kBody;
      deadline_ = st_.clock.monotonic() + st_.settings.limits.body_timeout;
    }
    return true;
  }

  // Answers a request the server itself refuses, then drops the rest of what the client sends.
  void refuse(int status, std::string why) {
    keep_alive_ = false;
    linger_ = true;
    head_request_ = false;
    send(st_.error(status, std::move(why)));
  }

  void dispatch() {
    Request req = detail::to_request(*parser_, std::move(target_));
    req.remote = remote_;
    keep_alive_ = req.keep_alive;
    linger_ = false;
    head_request_ = req.method == "HEAD";
    phase_ = Phase::kHandler;
    deadline_ = kNever;
    Ex ex(*this);
    try {
      st_.handler(req, ex);
    } catch (const std::exception& e) {
      st_.log.error("handler failed", {{"path", req.path.substr(0, 256)}, {"error", e.what()}});
      if (!ex.answered()) ex.respond(st_.error(500, "internal error"));
      return;
    }
    if (!ex.answered()) {
      st_.log.error("handler gave no answer", {{"path", req.path.substr(0, 256)}});
      ex.respond(st_.error(500, "internal error: no answer"));
    }
  }

 public:
  void send(Response r) {
    if (closed_) {
      if (r.file && r.file->fd >= 0) ::close(r.file->fd);
      return;
    }
    if (st_.stopping.load()) keep_alive_ = false;
    if (r.stream && !head_request_) return start_stream(std::move(r));
    phase_ = Phase::kWriting;
    std::uint64_t length = r.file ? r.file->length : r.body_text().size();
    bool bodyless = r.status == 304 || r.status == 204 || r.status < 200;
    start_head(r);
    if (!bodyless) {
      head_ += "Content-Length: ";
      head_ += std::to_string(length);
      head_ += "\r\n";
    }
    head_ += keep_alive_ ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    res_ = std::move(r);
    if (head_request_ || bodyless) {
      if (res_.file && res_.file->fd >= 0) ::close(res_.file->fd);
      res_.file.reset();
      res_.body.clear();
      res_.shared_body.reset();
    }
    deadline_ = st_.clock.monotonic() + st_.settings.limits.write_timeout;
    sent_ = 0;
    if (res_.file && res_.file->length > 0) {
      if constexpr (T::kTls) {
        head_sent_ = false;
        return tls_file();
      } else {
        head_sent_ = false;
        head_off_ = 0;
        return send_file_head();
      }
    }
    std::array<asio::const_buffer, 2> bufs{
        asio::buffer(head_), asio::buffer(res_.body_text().data(), res_.body_text().size())};
    write(bufs, [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->close();
      self->sent_ = self->res_.body_text().size();
      self->response_done();
    });
  }

 private:
  // Status line, Server and the response's own headers into head_ (reused per response).
  void start_head(const Response& r) {
    head_.clear();
    head_ += "HTTP/1.1 ";
    head_ += std::to_string(r.status);
    head_ += ' ';
    head_ += status_text(r.status);
    head_ += "\r\n";
    if (!st_.settings.server_header.empty()) {
      head_ += "Server: ";
      head_ += st_.settings.server_header;
      head_ += "\r\n";
    }
    for (const auto& [k, v] : r.headers) {
      head_ += k;
      head_ += ": ";
      head_ += v;
      head_ += "\r\n";
    }
  }

  template <class Buffers, class Done>
  void write(const Buffers& b, Done&& done) {
    if constexpr (T::kTls) {
      asio::async_write(t_.stream, b, std::forward<Done>(done));
    } else {
      asio::async_write(t_.sock, b, std::forward<Done>(done));
    }
  }

  void response_done() {
    if (res_.file && res_.file->fd >= 0) ::close(res_.file->fd);
    if (res_.on_sent) res_.on_sent(sent_);
    res_ = Response();  // no cache entry held while idle
    if (linger_) return linger();
    if (!keep_alive_) return graceful_close();
    new_request(false);
  }

  // Plain TCP: the head goes out with MSG_MORE so it shares packets with the file's first
  // bytes (nginx's tcp_nopush), then sendfile(2).
  void send_file_head() {
    if constexpr (!T::kTls) {
      int fd = t_.sock.native_handle();
      while (head_off_ < head_.size()) {
        ssize_t n =
            ::send(fd, head_.data() + head_off_, head_.size() - head_off_, MSG_MORE | MSG_NOSIGNAL);
        if (n > 0) {
          head_off_ += static_cast<std::size_t>(n);
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          return when_writable([](Session& s) { s.send_file_head(); });
        }
        return close();
      }
      send_file();
    }
  }

  void send_file() {
    if constexpr (!T::kTls) {
      auto& f = *res_.file;
      while (f.length > 0) {
        off_t off = static_cast<off_t>(f.offset);
        std::size_t chunk = std::min<std::uint64_t>(f.length, 1u << 30);
        ssize_t n = ::sendfile(t_.sock.native_handle(), f.fd, &off, chunk);
        if (n > 0) {
          f.offset += static_cast<std::uint64_t>(n);
          f.length -= static_cast<std::uint64_t>(n);
          sent_ += static_cast<std::uint64_t>(n);
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          return when_writable([](Session& s) { s.send_file(); });
        }
        // The file shrank under us or the peer went away: the promised length is unkeepable.
        if (res_.on_sent) res_.on_sent(sent_);
        res_.on_sent = nullptr;
        return close();
      }
      response_done();
    }
  }

  template <class Next>
  void when_writable(Next next) {
    deadline_ = st_.clock.monotonic() + st_.settings.limits.write_timeout;  // per progress
    t_.socket().async_wait(tcp::socket::wait_write,
                           [self = this->shared_from_this(), next](error_code ec) {
                             if (ec) return self->close();
                             next(*self);
                           });
  }

  // TLS: no sendfile; the file goes through memory in bounded pieces.
  void tls_file() {
    auto& f = *res_.file;
    if (!head_sent_) {
      head_sent_ = true;
      return write(asio::buffer(head_),
                   [self = this->shared_from_this()](error_code ec, std::size_t) {
                     if (ec) return self->close();
                     self->tls_file();
                   });
    }
    if (f.length == 0) return response_done();
    chunk_.resize(std::min<std::uint64_t>(f.length, kTlsFileChunk));
    ssize_t n = ::pread(f.fd, chunk_.data(), chunk_.size(), static_cast<off_t>(f.offset));
    if (n <= 0) return close();
    chunk_.resize(static_cast<std::size_t>(n));
    f.offset += static_cast<std::uint64_t>(n);
    f.length -= static_cast<std::uint64_t>(n);
    deadline_ = st_.clock.monotonic() + st_.settings.limits.write_timeout;
    write(asio::buffer(chunk_), [self = this->shared_from_this()](error_code ec, std::size_t m) {
      if (ec) return self->close();
      self->sent_ += m;
      self->tls_file();
    });
  }

  void linger() {
    phase_ = Phase::kLinger;
    deadline_ = st_.clock.monotonic() + kLingerTimeout;
    if constexpr (!T::kTls) {
      error_code ignored;
      t_.sock.shutdown(tcp::socket::shutdown_send, ignored);
    }
    discard();
  }

  void discard() {
    if (closed_) return;
    if (lingered_ > kLingerMaxBytes) return close();
    auto on_read = [self = this->shared_from_this()](error_code ec, std::size_t n) {
      if (ec && ec != asio::error::would_block && ec != asio::error::try_again)
        return self->close();
      self->lingered_ += n;
      self->discard();
    };
    if constexpr (T::kTls) {
      t_.stream.async_read_some(asio::buffer(scratch_), on_read);
    } else {
      t_.sock.async_wait(
          tcp::socket::wait_read, [self = this->shared_from_this(), on_read](error_code ec) {
            if (ec) return self->close();
            std::size_t n = self->t_.sock.read_some(asio::buffer(self->scratch_), ec);
            on_read(ec, n);
          });
    }
  }

  void graceful_close() {
    if constexpr (T::kTls) {
      phase_ = Phase::kLinger;
      deadline_ = st_.clock.monotonic() + kTlsShutdownTimeout;
      t_.stream.async_shutdown([self = this->shared_from_this()](error_code) { self->close(); });
    } else {
      error_code ignored;
      t_.sock.shutdown(tcp::socket::shutdown_send, ignored);
      close();
    }
  }

  // --- chunked streams (watches)
  void start_stream(Response r) {
    phase_ = Phase::kStreaming;
    deadline_ = kNever;
    stream_ = std::move(r.stream);
    start_head(r);
    head_ += "Transfer-Encoding: chunked\r\n\r\n";
    writing_ = true;
    auto timeout = r.stream_timeout;
    tick_interval_ = r.tick_interval;
    write(asio::buffer(head_),
          [self = this->shared_from_this(), timeout](error_code ec, std::size_t) {
            self->writing_ = false;
            if (ec || !self->stream_) return self->close();
            std::weak_ptr<Session> weak = self;
            auto& ioc = self->w_.ioc;
            self->stream_->start([weak, &ioc] {
              if (auto s = weak.lock()) asio::post(ioc, [s = std::move(s)] { s->pump(); });
            });
            // Stream clients send nothing more; a completed read means they went away.
            self->watch_for_disconnect();
            if (timeout.count() > 0) {
              self->stream_timer_.emplace(self->w_.ioc);
              self->stream_timer_->expires_after(timeout);
              self->stream_timer_->async_wait([self](error_code e) {
                if (!e) self->finish_stream();
              });
            }
            if (self->tick_interval_.count() > 0) self->schedule_tick();
            if (self->finishing_) return self->write_last_chunk();
            self->pump();
          });
  }

  void watch_for_disconnect() {
    auto done = [self = this->shared_from_this()](error_code, std::size_t) {
      if (self->stream_ && !self->finishing_) self->close();
    };
    if constexpr (T::kTls) {
      t_.stream.async_read_some(asio::buffer(probe_), done);
    } else {
      t_.sock.async_wait(tcp::socket::wait_read, [done](error_code ec) { done(ec, 0); });
    }
  }

  void schedule_tick() {
    tick_timer_.emplace(w_.ioc);
    tick_timer_->expires_after(tick_interval_);
    tick_timer_->async_wait([self = this->shared_from_this()](error_code ec) {
      if (ec || !self->stream_ || self->finishing_) return;
      self->stream_->tick(self->extra_);
      self->pump();
      self->schedule_tick();
    });
  }

  void pump() {
    if (!stream_ || finishing_) return;
    if (writing_) {
      if (stream_->abandoned()) close();
      return;
    }
    out_ = std::move(extra_);
    extra_.clear();
    bool more = stream_->pull(out_);
    if (out_.empty()) {
      if (!more) finish_stream();
      return;
    }
    writing_ = true;
    write(bhttp::make_chunk(asio::buffer(out_)),
          [self = this->shared_from_this(), more](error_code ec, std::size_t) {
            self->writing_ = false;
            if (ec) return self->close();
            if (self->finishing_) return self->write_last_chunk();
            if (!more) return self->finish_stream();
            self->pump();
          });
  }

  // Ends the response properly (last chunk), then closes.
  void finish_stream() {
    if (!stream_ || finishing_) return;
    finishing_ = true;
    if (!writing_) write_last_chunk();
  }

  void write_last_chunk() {
    writing_ = true;
    deadline_ = st_.clock.monotonic() + st_.settings.limits.write_timeout;
    write(bhttp::make_chunk_last(), [self = this->shared_from_this()](error_code, std::size_t) {
      self->writing_ = false;
      self->close();
    });
  }

  void end_stream() {
    if (stream_timer_) stream_timer_->cancel();
    if (tick_timer_) tick_timer_->cancel();
    if (!stream_) return;
    auto s = std::move(stream_);
    stream_.reset();
    s->closed();
  }

  Server::Worker& w_;
  Server::State& st_;
  T t_;
  asio::ip::address remote_;
  bool pending_ = true;
  bool closed_ = false;
  Phase phase_ = Phase::kHead;
  MonoTime deadline_ = kNever;
  beast::flat_buffer buf_;
  std::optional<detail::RequestParser> parser_;
  bool head_checked_ = false;
  bool started_head_ = false;  // bytes of the current head arrived
  Target target_;
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool linger_ = false;
  std::size_t lingered_ = 0;
  std::string head_;
  std::size_t head_off_ = 0;
  bool head_sent_ = false;
  Response res_;
  std::uint64_t sent_ = 0;
  std::vector<char> chunk_;
  std::array<char, 16 * 1024> scratch_{};
  // streams
  std::shared_ptr<Stream> stream_;
  std::optional<asio::steady_timer> stream_timer_;
  std::optional<asio::steady_timer> tick_timer_;
  std::chrono::milliseconds tick_interval_{0};
  bool writing_ = false;
  bool finishing_ = false;
  std::string out_;
  std::string extra_;
  std::array<char, 1> probe_{};
};

}  // namespace

void Server::Worker::accept() {
  acceptor.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      error_code rec;
      auto remote = socket.remote_endpoint(rec).address();
      auto refusal = rec ? Refusal::kMaxConnections : state->table.admit(remote);
      if (refusal != Refusal::kNone) {
        if (state->rejected) state->rejected->with({std::string(refusal_name(refusal))}).inc();
        error_code ignored;
        socket.close(ignored);  // over a bound: refuse rather than queue
      } else {
        if (state->open_gauge) state->open_gauge->inc();
        if (state->tls) {
          std::make_shared<Session<TlsTransport>>(*this, std::move(socket), remote)->start();
        } else {
          std::make_shared<Session<PlainTransport>>(*this, std::move(socket), remote)->start();
        }
      }
    }
    accept();
  });
}

Server::Server(ServerSettings settings, Handler handler, log::Logger log)
    : state_(std::make_shared<State>(std::move(settings), std::move(handler), std::move(log))) {}

Server::~Server() { stop(std::chrono::milliseconds(0)); }

Expected<std::uint16_t, std::string> Server::start() {
  auto& s = state_->settings;
  auto fail = [&](const std::string& why) {
    workers_.clear();
    return unexpected("--" + s.listen_flag + " " + s.listen + ": " + why);
  };
  auto hp = net::parse_host_port(s.listen);
  if (!hp) return fail(hp.error());
  auto addr = net::listen_address(*hp);
  if (!addr) return fail(addr.error());
  if (s.tls) {
    try {
      state_->tls.emplace(ssl::context::tls_server);
      state_->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                               ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                               ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
      state_->tls->use_certificate_chain(asio::buffer(s.tls->cert_pem));
      state_->tls->use_private_key(asio::buffer(s.tls->key_pem), ssl::context::pem);
    } catch (const std::exception& e) {
      return fail(std::string("TLS certificate or key: ") + e.what());
    }
  }
  bool reuse_port = s.threads > 1;
  std::uint16_t port = hp->port;
  if (reuse_port && port != 0) {
    // SO_REUSEPORT would also let a second process join silently; a probe listening without
    // it fails while anyone listens there (with SO_REUSEADDR Linux may let bind() pass:
    // listen() is the check).
    tcp::endpoint ep(*addr, port);
    int fd = ::socket(ep.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
      int one = 1;  // a predecessor's TIME_WAIT connections are no conflict
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      int rc = ::bind(fd, ep.data(), static_cast<socklen_t>(ep.size()));
      if (rc == 0) rc = ::listen(fd, 1);
      int err = errno;
      ::close(fd);
      if (rc != 0) return fail(std::strerror(err));
    }
  }
  for (int i = 0; i < s.threads; ++i) {
    auto w = std::make_shared<Worker>(state_);
    auto bound = w->bind(tcp::endpoint(*addr, port), reuse_port);
    if (!bound) return fail(bound.error());
    port = *bound;
    workers_.push_back(std::move(w));
  }
  port_ = port;
  state_->serving = true;
  for (auto& w : workers_) w->run();
  return port_;
}

void Server::stop(std::chrono::milliseconds drain) {
  if (workers_.empty()) return;
  state_->serving = false;
  state_->stopping = true;
  // Phase 1: no new connections; idle keep-alive ones closed, streams ended, requests in
  // flight answered with "Connection: close". Wait until every connection is gone or `drain`.
  for (auto& w : workers_) w->begin_stop();
  {
    std::unique_lock lock(state_->mu);
    state_->drained.wait_for(lock, drain, [this] { return state_->table.open() == 0; });
  }
  // Phase 2: close whatever is left.
  for (auto& w : workers_) w->force_stop();
  for (auto& w : workers_) w->join();
  workers_.clear();
}

bool Server::serving() const { return state_->serving.load(); }

std::size_t Server::open_connections() const { return state_->table.open(); }

std::string Server::saturation() const {
  auto open = state_->table.open();
  auto max = state_->settings.limits.max_connections;
  if (open < max) return {};
  return "connection cap full: " + std::to_string(open) + " of " + std::to_string(max) +
         " open (--max-connections)";
}

}  // namespace ferrum::http
