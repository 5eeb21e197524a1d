#pragma once
// A small real HTTPS server for the kube client's transport tests: 127.0.0.1, port 0, a CA,
// server and client certificate made with OpenSSL at start, blocking Beast I/O with one
// thread per connection. The test's handler answers each request, either whole or as a
// chunked stream it writes piece by piece (watch tests drive streams from the test thread
// through StreamFeed, so nothing depends on timing).

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace kubetest {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct TlsMaterial {
  std::string ca_pem;
  std::string server_cert_pem, server_key_pem;
  std::string client_cert_pem, client_key_pem;
  std::string other_ca_pem;  // a CA that signed nothing here
};

namespace detail {
inline std::string bio_string(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  std::string s(data, static_cast<std::size_t>(n));
  BIO_free(b);
  return s;
}
inline std::string pem_cert(X509* x) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, x);
  return bio_string(b);
}
inline std::string pem_key(EVP_PKEY* k) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
  return bio_string(b);
}
inline void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) throw std::runtime_error("X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}
// A certificate for `cn` signed by issuer (self-signed when issuer is null).
inline X509* make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca,
                       const char* san, long serial) {
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  X509* iss = issuer ? issuer : x;
  if (ca) {
    add_ext(x, iss, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(x, iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(x, iss, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(x, iss, NID_ext_key_usage, san ? "serverAuth" : "clientAuth");
    if (san) add_ext(x, iss, NID_subject_alt_name, san);
  }
  X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
  return x;
}
}  // namespace detail

inline TlsMaterial make_tls_material() {
  using namespace detail;
  TlsMaterial m;
  EVP_PKEY* ca_key = EVP_EC_gen("P-256");
  X509* ca = make_cert(ca_key, "ferrum-test-ca", nullptr, nullptr, true, nullptr, 1);
  EVP_PKEY* srv_key = EVP_EC_gen("P-256");
  X509* srv = make_cert(srv_key, "apiserver", ca, ca_key, false, "IP:127.0.0.1,DNS:api.local", 2);
  EVP_PKEY* cli_key = EVP_EC_gen("P-256");
  X509* cli = make_cert(cli_key, "tester", ca, ca_key, false, nullptr, 3);
  EVP_PKEY* other_key = EVP_EC_gen("P-256");
  X509* other = make_cert(other_key, "unrelated-ca", nullptr, nullptr, true, nullptr, 4);
  m.ca_pem = pem_cert(ca);
  m.server_cert_pem = pem_cert(srv);
  m.server_key_pem = pem_key(srv_key);
  m.client_cert_pem = pem_cert(cli);
  m.client_key_pem = pem_key(cli_key);
  m.other_ca_pem = pem_cert(other);
  for (X509* x : {ca, srv, cli, other}) X509_free(x);
  for (EVP_PKEY* k : {ca_key, srv_key, cli_key, other_key}) EVP_PKEY_free(k);
  return m;
}

struct Request {
  std::string method;
  std::string target;
  std::string body;
  std::string content_type;
  std::string accept;
  std::string authorization;
  std::string client_cn;  // from the client certificate, when one was presented
  int connection = 0;     // which accepted connection carried it (1-based)
};

// Lines a streaming handler writes as chunks; the test pushes them, or closes the stream.
class StreamFeed {
 public:
  void push(std::string line) {
    std::lock_guard l(mu_);
    q_.push_back(std::move(line));
    cv_.notify_all();
  }
  void close() {
    std::lock_guard l(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  // Next line, or nothing when closed and drained.
  std::optional<std::string> next() {
    std::unique_lock l(mu_);
    cv_.wait(l, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return std::nullopt;
    auto s = std::move(q_.front());
    q_.pop_front();
    return s;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> q_;
  bool closed_ = false;
};

class Exchange {
 public:
  explicit Exchange(ssl::stream<tcp::socket>& s) : s_(s) {}
  void respond(int status, const std::string& body,
               const std::string& content_type = "application/json") {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, content_type);
    res.body() = body;
    res.prepare_payload();
    beast::error_code ec;
    http::write(s_, res, ec);
    done_ = true;
  }
  void start_stream(int status = 200) {
    http::response<http::empty_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "application/json");
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    beast::error_code ec;
    http::write_header(s_, sr, ec);
    streaming_ = true;
  }
  // False once the client is gone.
  bool chunk(const std::string& data) {
    beast::error_code ec;
    net::write(s_, http::make_chunk(net::buffer(data)), ec);
    return !ec;
  }
  void end_stream() {
    beast::error_code ec;
    net::write(s_, http::make_chunk_last(), ec);
    done_ = true;
  }
  // Drops the connection without finishing the answer.
  void abort() {
    beast::error_code ec;
    s_.next_layer().shutdown(tcp::socket::shutdown_both, ec);
    aborted_ = true;
  }
  bool finished() const { return done_ || aborted_; }
  bool aborted() const { return aborted_; }

 private:
  ssl::stream<tcp::socket>& s_;
  bool done_ = false;
  bool streaming_ = false;
  bool aborted_ = false;
};

class TestApiServer {
 public:
  using Handler = std::function<void(const Request&, Exchange&)>;

  TestApiServer(TlsMaterial tls, Handler handler, bool require_client_cert = false)
      : tls_(std::move(tls)),
        handler_(std::move(handler)),
        ctx_(ssl::context::tls_server),
        acceptor_(ioc_) {
    ctx_.use_certificate_chain(net::buffer(tls_.server_cert_pem));
    ctx_.use_private_key(net::buffer(tls_.server_key_pem), ssl::context::pem);
    if (require_client_cert) {
      ctx_.add_certificate_authority(net::buffer(tls_.ca_pem));
      ctx_.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~TestApiServer() {
    stopping_ = true;
    {
      // Wake accept() with a connection of our own, and every blocked connection read.
      beast::error_code ec;
      net::io_context io;
      tcp::socket s(io);
      s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
    }
    accept_thread_.join();
    {
      std::lock_guard l(mu_);
      for (int fd : live_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : conn_threads_) t.join();
  }

  std::uint16_t port() const { return port_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::vector<Request> requests() const {
    std::lock_guard l(mu_);
    return requests_;
  }
  int connections() const { return connections_.load(); }
  // Blocks until `n` requests have arrived.
  void wait_for_requests(std::size_t n) const {
    std::unique_lock l(mu_);
    cv_.wait(l, [&] { return requests_.size() >= n; });
  }
  // Drops every open connection (a server restart, as the client sees it).
  void drop_connections() {
    std::lock_guard l(mu_);
    for (int fd : live_fds_) ::shutdown(fd, SHUT_RDWR);
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      tcp::socket sock(ioc_);
      beast::error_code ec;
      acceptor_.accept(sock, ec);
      if (ec || stopping_) continue;
      int id = ++connections_;
      std::lock_guard l(mu_);
      conn_threads_.emplace_back(
          [this, s = std::move(sock), id]() mutable { serve(std::move(s), id); });
    }
  }

  void serve(tcp::socket sock, int id) {
    int fd = sock.native_handle();
    {
      std::lock_guard l(mu_);
      live_fds_.insert(fd);
    }
    ssl::stream<tcp::socket> s(std::move(sock), ctx_);
    beast::error_code ec;
    s.handshake(ssl::stream_base::server, ec);
    std::string cn;
    if (!ec) {
      if (X509* peer = SSL_get_peer_certificate(s.native_handle())) {
        char buf[256] = {0};
        X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buf, sizeof buf);
        cn = buf;
        X509_free(peer);
      }
    }
    beast::flat_buffer buf;
    while (!ec && !stopping_) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(8u << 20);
      http::read(s, buf, parser, ec);
      if (ec) break;
      auto& req = parser.get();
      Request r{std::string(req.method_string()),
                std::string(req.target()),
                req.body(),
                std::string(req[http::field::content_type]),
                std::string(req[http::field::accept]),
                std::string(req[http::field::authorization]),
                cn,
                id};
      {
        std::lock_guard l(mu_);
        requests_.push_back(r);
        cv_.notify_all();
      }
      Exchange ex(s);
      handler_(r, ex);
      if (!ex.finished())
        ex.respond(500, R"({"kind":"Status","message":"handler did not answer"})");
      if (ex.aborted() || !req.keep_alive()) break;
    }
    {
      std::lock_guard l(mu_);
      live_fds_.erase(fd);
    }
    s.next_layer().close(ec);
  }

  TlsMaterial tls_;
  Handler handler_;
  net::io_context ioc_;
  ssl::context ctx_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread accept_thread_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<std::thread> conn_threads_;
  std::set<int> live_fds_;
  std::vector<Request> requests_;
};

}  // namespace kubetest
