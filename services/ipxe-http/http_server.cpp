#include "http_server.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <cstring>
#include <unordered_set>

#include "ferrum/net.hpp"

namespace ferrum::ipxe {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {
constexpr std::size_t kMaxHead = 8 * 1024;
}

HttpResponse HttpResponse::text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

class HttpServer::Worker {
 public:
  Worker(HttpServer& owner) : owner_(owner), acceptor_(ioc_) {}

  Expected<std::uint16_t, std::string> bind(const tcp::endpoint& ep) {
    error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      int one = 1;
      if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) !=
          0) {
        ec = error_code(errno, boost::system::system_category());
      }
    }
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return unexpected(ec.message());
    return acceptor_.local_endpoint().port();
  }

  void run() {
    accept();
    sweep();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  void close_listener() {
    asio::post(ioc_, [this] {
      error_code ec;
      acceptor_.close(ec);
    });
  }
  void stop() {
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
  }
  asio::io_context& ioc() { return ioc_; }
  HttpServer& owner() { return owner_; }
  // Connections register themselves; only ever touched on this worker's thread.
  std::unordered_set<Connection*>& connections() { return connections_; }
  // Closes the connections waiting for a next request (stop: they would otherwise hold the
  // drain until their idle timeout).
  void close_idle();
  // Closes connections past their deadline, four times a second.
  void sweep();

 private:
  void accept();

  HttpServer& owner_;
  asio::io_context ioc_{1};
  tcp::acceptor acceptor_;
  std::thread thread_;
  asio::steady_timer sweep_timer_{ioc_};
  std::unordered_set<Connection*> connections_;
};

// One per connection; lives in its handlers (shared_from_this). Reads heads, answers them in
// order (pipelined requests already in the buffer are answered one after another).
class HttpServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Worker& w, tcp::socket s) : w_(w), socket_(std::move(s)) {
    w_.owner().open_.fetch_add(1);
    w_.connections().insert(this);
    error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    socket_.non_blocking(true, ec);  // read_some after async_wait must not block
    buf_.resize(kMaxHead);
  }
  ~Connection() {
    if (file_.fd >= 0) ::close(file_.fd);
    w_.connections().erase(this);
    w_.owner().open_.fetch_sub(1);
  }

  void start() { next_request(w_.owner().settings_.header_timeout); }

  void close_if_idle() {
    if (idle_) close();
  }
  void close_if_expired(std::chrono::steady_clock::time_point now) {
    if (now >= deadline_) close();
  }

 private:
  void close() {
    error_code ignored;
    socket_.close(ignored);
  }

  // Deadlines are enforced by the worker's sweep (see Worker::sweep): arming is a clock read,
  // not a timer operation per request.
  void arm(std::chrono::milliseconds d) { deadline_ = std::chrono::steady_clock::now() + d; }
  // The socket's send buffer is full: continue with `next` once it drains, within the write
  // timeout (the worker's sweep closes sessions past their deadline).
  void resume_when_writable(void (Connection::*next)()) {
    arm(w_.owner().settings_.write_timeout);
    socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this(), next](error_code ec) {
      if (ec) {
        self->close();
        return;
      }
      ((*self).*next)();
    });
  }

  void next_request(std::chrono::milliseconds timeout) {
    // A complete head may already be buffered (pipelining).
    if (try_handle()) return;
    if (used_ == buf_.size()) {
      respond_error(431, "request head larger than 8 KiB\n");
      return;
    }
    arm(used_ == 0 ? timeout : w_.owner().settings_.header_timeout);
    idle_ = used_ == 0;
    // Wait for readability, then read: an async read would first try a recv that, right after
    // a response, nearly always fails with EAGAIN (one wasted system call per request).
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this(), timeout](error_code ec) {
      self->idle_ = false;
      if (!ec) {
        std::size_t n = self->socket_.read_some(
            asio::buffer(self->buf_.data() + self->used_, self->buf_.size() - self->used_), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
          self->next_request(timeout);  // spurious wake-up: keep waiting, same deadline kind
          return;
        }
        self->used_ += n;
      }
      if (ec) {
        // Peer closed or timed out: drop the timer's hold too.
        self->close();
        return;
      }
      self->next_request(self->w_.owner().settings_.header_timeout);
    });
  }

  // Handles one buffered request head; false when none is complete yet.
  bool try_handle() {
    std::string_view data(buf_.data(), used_);
    auto end = data.find("\r\n\r\n");
    if (end == std::string_view::npos) return false;
    std::size_t head_len = end + 4;
    auto req = parse_request_head(data.substr(0, head_len));
    std::memmove(buf_.data(), buf_.data() + head_len, used_ - head_len);
    used_ -= head_len;
    if (!req) {
      respond_error(req.error().status, req.error().message + "\n");
      return true;
    }
    HttpResponse res;
    try {
      res = w_.owner().handler_(*req);
    } catch (const std::exception& e) {
      w_.owner().log_.error("handler failed", {{"path", req->path}, {"error", e.what()}});
      res = HttpResponse::text(500, "internal error\n");
    }
    send(std::move(res), req->keep_alive, req->method == "HEAD");
    return true;
  }

  void respond_error(int status, std::string text) {
    send(HttpResponse::text(status, std::move(text)), false, false);
  }

  void send(HttpResponse res, bool keep_alive, bool head_only) {
    keep_alive_ = keep_alive;
    std::uint64_t length = res.file ? res.file->length : res.body_text().size();
    head_.clear();
    head_ += "HTTP/1.1 ";
    head_ += std::to_string(res.status);
    head_ += ' ';
    head_ += status_text(res.status);
    head_ += "\r\nServer: ferrum-ipxe-http\r\n";
    for (const auto& [k, v] : res.headers) {
      head_ += k;
      head_ += ": ";
      head_ += v;
      head_ += "\r\n";
    }
    if (res.status != 304) {
      head_ += "Content-Length: ";
      head_ += std::to_string(length);
      head_ += "\r\n";
    }
    head_ += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    on_sent_ = std::move(res.on_sent);
    if (res.file) {
      file_ = *res.file;
      if (head_only || res.status == 304) {
        ::close(file_.fd);
        file_ = {};
      }
    }
    body_.clear();
    shared_body_.reset();
    if (!head_only && res.status != 304 && !res.file) {
      body_ = std::move(res.body);
      shared_body_ = std::move(res.shared_body);
    }
    arm(w_.owner().settings_.write_timeout);
    if (file_.fd >= 0 && file_.length > 0) {
      head_sent_ = 0;
      send_file_head();
      return;
    }
    std::array<asio::const_buffer, 2> bufs{
        asio::buffer(head_), shared_body_ ? asio::buffer(*shared_body_) : asio::buffer(body_)};
    asio::async_write(socket_, bufs, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) {
        self->close();
        return;
      }
      if (self->file_.fd >= 0) {
        self->send_file();
      } else {
        if (self->on_sent_) {
          self->on_sent_(self->shared_body_ ? self->shared_body_->size() : self->body_.size());
        }
        self->shared_body_.reset();  // no cache entry held while idle
        self->done();
      }
    });
  }

  // The head of a file response goes out with MSG_MORE, so that it shares packets with the
  // file's first bytes instead of leaving as a small packet of its own under TCP_NODELAY
  // (nginx's tcp_nopush does the same with TCP_CORK).
  void send_file_head() {
    socket_.native_non_blocking(true);
    while (head_sent_ < head_.size()) {
      ssize_t n = ::send(socket_.native_handle(), head_.data() + head_sent_,
                         head_.size() - head_sent_, MSG_MORE | MSG_NOSIGNAL);
      if (n > 0) {
        head_sent_ += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        resume_when_writable(&Connection::send_file_head);
        return;
      }
      close();  // the peer went away
      return;
    }
    send_file();
  }

  void send_file() {
    socket_.native_non_blocking(true);
    while (file_.length > 0) {
      off_t off = static_cast<off_t>(file_.offset);
      std::size_t chunk = std::min<std::uint64_t>(file_.length, 1u << 30);
      ssize_t n = ::sendfile(socket_.native_handle(), file_.fd, &off, chunk);
      if (n > 0) {
        file_.offset += static_cast<std::uint64_t>(n);
        file_.length -= static_cast<std::uint64_t>(n);
        sent_ += static_cast<std::uint64_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        resume_when_writable(&Connection::send_file);
        return;
      }
      if (n < 0 && errno == EINTR) continue;
      // The file shrank under us or the peer went away: the length promised is unkeepable.
      if (on_sent_) on_sent_(sent_);
      close();
      return;
    }
    ::close(file_.fd);
    file_ = {};
    if (on_sent_) on_sent_(sent_);
    sent_ = 0;
    done();
  }

  void done() {
    on_sent_ = nullptr;
    if (!keep_alive_ || !w_.owner().serving_.load()) {
      error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      socket_.close(ignored);
      return;
    }
    next_request(w_.owner().settings_.idle_timeout);
  }

  Worker& w_;
  tcp::socket socket_;
  std::chrono::steady_clock::time_point deadline_{};
  std::vector<char> buf_;
  std::size_t used_ = 0;
  std::string head_;
  std::size_t head_sent_ = 0;  // of a file response's head (send_file_head)
  std::string body_;
  std::shared_ptr<const std::string> shared_body_;
  FileBody file_;
  std::uint64_t sent_ = 0;
  bool keep_alive_ = true;
  bool idle_ = false;
  std::function<void(std::uint64_t)> on_sent_;
};

void HttpServer::Worker::sweep() {
  sweep_timer_.expires_after(std::chrono::milliseconds(250));
  sweep_timer_.async_wait([this](error_code ec) {
    if (ec) return;
    auto now = std::chrono::steady_clock::now();
    std::vector<Connection*> all(connections_.begin(), connections_.end());
    for (auto* c : all) c->close_if_expired(now);
    sweep();
  });
}

void HttpServer::Worker::close_idle() {
  asio::post(ioc_, [this] {
    // Copy: closing may not destroy synchronously, but keep iteration safe regardless.
    std::vector<Connection*> all(connections_.begin(), connections_.end());
    for (auto* c : all) c->close_if_idle();
  });
}

void HttpServer::Worker::accept() {
  acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      if (owner_.open_.load() >= owner_.settings_.max_connections) {
        error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Connection>(*this, std::move(socket))->start();
      }
    }
    accept();
  });
}

HttpServer::HttpServer(HttpServerSettings settings, HttpHandler handler, log::Logger log)
    : settings_(std::move(settings)), handler_(std::move(handler)), log_(std::move(log)) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

Expected<std::uint16_t, std::string> HttpServer::start() {
  auto hp = net::parse_host_port(settings_.listen);
  if (!hp) return unexpected("--listen " + settings_.listen + ": " + hp.error());
  auto addr = net::listen_address(*hp);
  if (!addr) return unexpected("--listen " + settings_.listen + ": " + addr.error());
  std::uint16_t port = hp->port;
  if (port != 0) {
    // The workers share the port with SO_REUSEPORT, which would also let a second
    // ferrum-ipxe-http join silently; a probe listening without it fails while anyone
    // listens there (with SO_REUSEADDR Linux may let bind() pass: listen() is the check).
    tcp::endpoint ep(*addr, port);
    int fd = ::socket(ep.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
      int one = 1;  // SO_REUSEADDR: a predecessor's TIME_WAIT connections are no conflict
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      int rc = ::bind(fd, ep.data(), static_cast<socklen_t>(ep.size()));
      if (rc == 0) rc = ::listen(fd, 1);
      int err = errno;
      ::close(fd);
      if (rc != 0) return unexpected("--listen " + settings_.listen + ": " + std::strerror(err));
    }
  }
  for (int i = 0; i < std::max(1, settings_.workers); ++i) {
    auto w = std::make_unique<Worker>(*this);
    auto bound = w->bind(tcp::endpoint(*addr, port));
    if (!bound) return unexpected("--listen " + settings_.listen + ": " + bound.error());
    port = *bound;
    workers_.push_back(std::move(w));
  }
  port_ = port;
  serving_ = true;
  for (auto& w : workers_) w->run();
  return port_;
}

void HttpServer::stop(std::chrono::milliseconds drain) {
  if (workers_.empty()) return;
  serving_ = false;
  for (auto& w : workers_) {
    w->close_listener();
    w->close_idle();
  }
  auto deadline = std::chrono::steady_clock::now() + drain;
  while (open_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto& w : workers_) w->stop();
  workers_.clear();
}

}  // namespace ferrum::ipxe
