#include "http_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "ferrum/net.hpp"

namespace ferrum::metadata {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// A Beast body over a shared, immutable string: cached configs (20 KB and more) go out from
// the cache entry itself instead of being copied into every response.
struct SharedStringBody {
  using value_type = std::shared_ptr<const std::string>;

  static std::uint64_t size(const value_type& body) { return body ? body->size() : 0; }

  class writer {
   public:
    using const_buffers_type = asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(const http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}

    void init(beast::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(beast::error_code& ec) {
      ec = {};
      if (!body_ || body_->empty()) return boost::none;
      return {{asio::const_buffer(body_->data(), body_->size()), false}};
    }

   private:
    const value_type& body_;
  };
};

// The fixed texts of the transport's own answers, allocated once.
const std::shared_ptr<const std::string> kBodyTooLarge =
    std::make_shared<const std::string>("request bodies are not accepted\n");
const std::shared_ptr<const std::string> kHeadTooLarge =
    std::make_shared<const std::string>("request head is larger than 8 KiB\n");
const std::shared_ptr<const std::string> kMethodNotAllowed =
    std::make_shared<const std::string>("only GET and HEAD are served\n");
const std::shared_ptr<const std::string> kNotFound = std::make_shared<const std::string>(
    "not found; this server answers GET /configdata?uuid=<server uuid>\n");

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServer& owner)
      : owner_(owner),
        ioc_(owner.settings_.threads),
        acceptor_(asio::make_strand(ioc_)),
        open_(*owner.open_),
        open_gauge_(
            owner.registry_.gauge("ferrum_metadata_open_connections", "Open HTTP connections.")
                .get()),
        rejected_(owner.registry_
                      .counter("ferrum_metadata_connections_rejected_total",
                               "Connections closed at accept because --max-connections were open.")
                      .get()) {}

  Expected<std::uint16_t, std::string> bind(const std::string& listen) {
    auto hp = net::parse_host_port(listen);
    if (!hp) return unexpected("--listen " + listen + ": " + hp.error());
    auto addr = net::listen_address(*hp);
    if (!addr) return unexpected("--listen " + listen + ": " + addr.error());
    beast::error_code ec;
    tcp::endpoint ep(*addr, hp->port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return unexpected("--listen " + listen + ": " + ec.message());
    return acceptor_.local_endpoint().port();
  }

  void run() {
    asio::post(acceptor_.get_executor(), [this] { accept(); });
    for (int i = 0; i < owner_.settings_.threads; ++i)
      threads_.emplace_back([this] { ioc_.run(); });
  }

  void stop(std::chrono::milliseconds drain) {
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    auto deadline = std::chrono::steady_clock::now() + drain;
    while (open_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ioc_.stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }

 private:
  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(Impl* impl, tcp::socket socket) : impl_(impl), stream_(std::move(socket)) {
      impl_->open_.fetch_add(1);
      impl_->open_gauge_.inc();
    }
    ~Session() {
      impl_->open_.fetch_sub(1);
      impl_->open_gauge_.dec();
    }

    void read() {
      parser_.emplace();
      parser_->header_limit(8 * 1024);
      parser_->body_limit(0);
      stream_.expires_after(impl_->owner_.settings_.read_timeout);
      http::async_read(
          stream_, buffer_, *parser_,
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

   private:
    void on_read(beast::error_code ec) {
      if (ec == http::error::body_limit || ec == http::error::unexpected_body) {
        respond(http::status::payload_too_large, kBodyTooLarge, false);
        return;
      }
      if (ec == http::error::header_limit) {
        respond(http::status::request_header_fields_too_large, kHeadTooLarge, false);
        return;
      }
      if (ec) return;  // timeout, reset, malformed request: close
      const auto& req = parser_->get();
      bool keep = req.keep_alive();
      bool head = req.method() == http::verb::head;
      if (req.method() != http::verb::get && !head) {
        respond(http::status::method_not_allowed, kMethodNotAllowed, keep);
        return;
      }
      std::string_view target(req.target().data(), req.target().size());
      std::string_view path = target;
      std::string_view query;
      if (auto q = target.find('?'); q != std::string_view::npos) {
        path = target.substr(0, q);
        query = target.substr(q + 1);
      }
      if (path != "/configdata") {
        respond(http::status::not_found, kNotFound, keep, head);
        return;
      }
      auto answer = impl_->owner_.handler_(query);
      respond(static_cast<http::status>(answer.status), std::move(answer.body), keep, head,
              answer.content_type);
    }

    void respond(http::status status, std::shared_ptr<const std::string> body, bool keep_alive,
                 bool head = false, std::string_view content_type = "text/plain; charset=utf-8") {
      // One response object per session, reused: the session writes one response at a time.
      res_.emplace(status, 11);
      res_->set(http::field::server, "ferrum-metadata");
      res_->set(http::field::content_type,
                beast::string_view(content_type.data(), content_type.size()));
      if (status == http::status::method_not_allowed) res_->set(http::field::allow, "GET, HEAD");
      res_->keep_alive(keep_alive);
      auto size = body ? body->size() : 0;
      if (!head) res_->body() = std::move(body);
      res_->content_length(size);
      stream_.expires_after(impl_->owner_.settings_.write_timeout);
      http::async_write(stream_, *res_,
                        [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                          self->res_->body() = nullptr;  // no cache entry held while idle
                          if (ec || !keep_alive) {
                            beast::error_code ignored;
                            self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                            return;
                          }
                          self->read();
                        });
    }

    Impl* impl_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::empty_body>> parser_;
    std::optional<http::response<SharedStringBody>> res_;
  };

  void accept() {
    // Each connection gets its own strand so its handlers never run concurrently.
    acceptor_.async_accept(
        asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
          if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
          if (!ec) {
            if (static_cast<std::size_t>(open_.load()) >= owner_.settings_.max_connections) {
              rejected_.inc();
              beast::error_code ignored;
              socket.close(ignored);  // over the bound: refuse rather than queue
            } else {
              beast::error_code ignored;
              socket.set_option(tcp::no_delay(true), ignored);
              std::make_shared<Session>(this, std::move(socket))->read();
            }
          }
          accept();
        });
  }

  // Order matters: ioc_'s destructor destroys pending sessions, which touch open_.
  HttpServer& owner_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::atomic<int>& open_;  // owned by HttpServer, which outlives this
  metrics::Gauge& open_gauge_;
  metrics::Counter& rejected_;
  std::vector<std::thread> threads_;
};

HttpServer::HttpServer(HttpSettings settings, ConfigDataHandler handler,
                       metrics::Registry& registry, log::Logger log)
    : settings_(std::move(settings)),
      handler_(std::move(handler)),
      registry_(registry),
      log_(std::move(log)) {
  if (settings_.threads < 1) settings_.threads = 1;
}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

Expected<std::uint16_t, std::string> HttpServer::start() {
  impl_ = std::make_unique<Impl>(*this);
  auto port = impl_->bind(settings_.listen);
  if (!port) {
    impl_.reset();
    return port;
  }
  port_ = *port;
  impl_->run();
  serving_ = true;
  log_.info("configdata listening",
            {{"listen", settings_.listen}, {"port", port_}, {"threads", settings_.threads}});
  return port_;
}

void HttpServer::stop(std::chrono::milliseconds drain) {
  if (!impl_) return;
  serving_ = false;
  impl_->stop(drain);
  impl_.reset();
}

int HttpServer::open_connections() const { return open_->load(); }

}  // namespace ferrum::metadata
