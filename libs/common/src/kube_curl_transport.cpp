#include <curl/curl.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>

#include "ferrum/kube/transport.hpp"

namespace ferrum::kube {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Handle {
  CURLM* multi = nullptr;
  CURL* easy = nullptr;
  Handle() {
    multi = curl_multi_init();
    easy = curl_easy_init();
  }
  ~Handle() {
    if (easy) curl_easy_cleanup(easy);
    if (multi) curl_multi_cleanup(multi);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

struct SList {
  curl_slist* list = nullptr;
  void add(const std::string& s) { list = curl_slist_append(list, s.c_str()); }
  ~SList() {
    if (list) curl_slist_free_all(list);
  }
};

// State shared with libcurl's callbacks during one transfer.
struct Transfer {
  CURL* easy = nullptr;
  const DataSink* sink = nullptr;  // streaming mode when set
  std::size_t limit = 0;
  std::string body;
  bool too_large = false;
  bool sink_stopped = false;
  std::optional<long> status;

  long code() {
    if (!status) {
      long c = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &c);
      status = c;
    }
    return *status;
  }
};

size_t on_write(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * nmemb;
  if (t->sink != nullptr) {
    long c = t->code();
    if (c >= 200 && c < 300) {
      if (!(*t->sink)(std::string_view(ptr, n))) {
        t->sink_stopped = true;
        return 0;  // aborts with CURLE_WRITE_ERROR
      }
      return n;
    }
  }
  if (t->body.size() + n > t->limit) {
    t->too_large = true;
    return 0;
  }
  t->body.append(ptr, n);
  return n;
}

std::string host_port_of(const std::string& server, std::string* scheme) {
  auto p = server.find("://");
  std::string rest = p == std::string::npos ? server : server.substr(p + 3);
  if (scheme) *scheme = p == std::string::npos ? "https" : server.substr(0, p);
  auto slash = rest.find('/');
  return slash == std::string::npos ? rest : rest.substr(0, slash);
}

}  // namespace

struct CurlTransport::Impl {
  RestConfig cfg;
  Clock& clock;
  std::string base;        // URL prefix used for requests
  std::string connect_to;  // CURLOPT_CONNECT_TO entry when tls_server_name is set

  std::mutex pool_mu;
  std::vector<std::unique_ptr<Handle>> idle;

  std::mutex token_mu;
  std::string token;
  Clock::MonoTime token_read{};
  std::atomic<long> connects{0};

  Impl(RestConfig c, Clock& clk) : cfg(std::move(c)), clock(clk) {
    global_init();
    token = cfg.token;
    token_read = clock.monotonic();
    base = cfg.server;
    if (!cfg.tls_server_name.empty()) {
      // Verify (and send SNI for) another name than the URL's host: the URL carries the
      // name and CONNECT_TO sends the connection to the real host:port.
      std::string scheme;
      std::string hp = host_port_of(cfg.server, &scheme);
      std::string host = hp;
      std::string port = scheme == "https" ? "443" : "80";
      if (!hp.empty() && hp[0] == '[') {
        auto close = hp.find(']');
        host = hp.substr(1, close - 1);
        if (close + 1 < hp.size() && hp[close + 1] == ':') port = hp.substr(close + 2);
      } else if (auto colon = hp.rfind(':'); colon != std::string::npos) {
        host = hp.substr(0, colon);
        port = hp.substr(colon + 1);
      }
      base = scheme + "://" + cfg.tls_server_name + ":" + port;
      connect_to = cfg.tls_server_name + ":" + port + ":" + host + ":" + port;
    }
  }

  std::unique_ptr<Handle> acquire() {
    {
      std::lock_guard lock(pool_mu);
      if (!idle.empty()) {
        auto h = std::move(idle.back());
        idle.pop_back();
        return h;
      }
    }
    return std::make_unique<Handle>();
  }
  void release(std::unique_ptr<Handle> h) {
    std::lock_guard lock(pool_mu);
    if (idle.size() < 32) idle.push_back(std::move(h));
  }

  std::string bearer() {
    std::lock_guard lock(token_mu);
    if (!cfg.token_file.empty() && clock.monotonic() - token_read >= std::chrono::minutes(1)) {
      std::ifstream f(cfg.token_file);
      std::stringstream ss;
      ss << f.rdbuf();
      std::string t = ss.str();
      while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
      if (f && !t.empty()) token = t;  // keep the old token when the file is mid-rotation
      token_read = clock.monotonic();
    }
    return token;
  }

  Expected<HttpResponse, Error> perform(const HttpRequest& req, const DataSink* sink,
                                        std::stop_token stop) {
    if (stop.stop_requested())
      return unexpected(Error{0, std::string(kReasonCancelled), "cancelled before sending"});
    auto h = acquire();
    CURL* e = h->easy;
    curl_easy_reset(e);
    char errbuf[CURL_ERROR_SIZE] = {0};
    Transfer t;
    t.easy = e;
    t.sink = sink;
    t.limit = cfg.max_response_bytes;

    const std::string url = base + req.target;
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(cfg.connect_timeout.count()));
    auto timeout = req.timeout.count() > 0 ? req.timeout : cfg.timeout;
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 10L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "ferrum/" FERRUM_VERSION);
    SList connect;
    if (!connect_to.empty()) {
      connect.add(connect_to);
      curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect.list);
    }
    return run(h, e, t, req, sink, stop, errbuf);
  }

  Expected<HttpResponse, Error> run(std::unique_ptr<Handle>& h, CURL* e, Transfer& t,
                                    const HttpRequest& req, const DataSink* sink,
                                    std::stop_token& stop, char* errbuf) {
    // TLS
    if (cfg.insecure_skip_tls_verify) {
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!cfg.ca_pem.empty()) {
      curl_blob ca{const_cast<char*>(cfg.ca_pem.data()), cfg.ca_pem.size(), CURL_BLOB_NOCOPY};
      curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &ca);
      curl_easy_setopt(e, CURLOPT_CAPATH, nullptr);  // only this CA, as client-go does
    }
    if (!cfg.client_cert_pem.empty()) {
      curl_blob cert{const_cast<char*>(cfg.client_cert_pem.data()), cfg.client_cert_pem.size(),
                     CURL_BLOB_NOCOPY};
      curl_blob key{const_cast<char*>(cfg.client_key_pem.data()), cfg.client_key_pem.size(),
                    CURL_BLOB_NOCOPY};
      curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
      curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
      curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
      curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    }

    SList headers;
    headers.add("Accept: " + req.accept);
    headers.add("Expect:");
    if (!req.content_type.empty()) headers.add("Content-Type: " + req.content_type);
    std::string tok = bearer();
    if (!tok.empty()) headers.add("Authorization: Bearer " + tok);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.list);

    if (req.method == "GET") {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (req.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
      if (!req.body.empty() || req.method == "POST" || req.method == "PUT" ||
          req.method == "PATCH") {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.body.data());
      }
    }

    CURLM* m = h->multi;
    curl_multi_add_handle(m, e);
    std::stop_callback wake(stop, [m] { curl_multi_wakeup(m); });
    CURLcode result = CURLE_OK;
    bool done = false;
    bool cancelled = false;
    while (!done) {
      int running = 0;
      CURLMcode mc = curl_multi_perform(m, &running);
      if (mc != CURLM_OK) {
        result = CURLE_FAILED_INIT;
        std::snprintf(errbuf, CURL_ERROR_SIZE, "curl_multi_perform: %s", curl_multi_strerror(mc));
        break;
      }
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(m, &left)) {
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == e) {
          result = msg->data.result;
          done = true;
        }
      }
      if (done) break;
      if (stop.stop_requested()) {
        cancelled = true;
        break;
      }
      curl_multi_poll(m, nullptr, 0, 1000, nullptr);
    }
    long new_conns = 0;
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &new_conns);
    connects += new_conns;
    long code = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    char* ct = nullptr;
    curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
    std::string content_type = ct ? ct : "";
    curl_multi_remove_handle(m, e);

    if (cancelled) {
      // An aborted transfer leaves its connection unusable; drop the handle with it.
      h.reset();
      return unexpected(
          Error{0, std::string(kReasonCancelled), req.method + " " + req.target + ": cancelled"});
    }
    auto give_back = [&] {
      if (h) release(std::move(h));
    };
    if (result == CURLE_WRITE_ERROR && t.sink_stopped) {
      h.reset();
      return HttpResponse{static_cast<int>(code), content_type, {}};
    }
    if (result == CURLE_WRITE_ERROR && t.too_large) {
      h.reset();
      return unexpected(Error{0, std::string(kReasonBadResponse),
                              req.method + " " + req.target + ": response larger than " +
                                  std::to_string(cfg.max_response_bytes) + " bytes"});
    }
    if (result == CURLE_OPERATION_TIMEDOUT) {
      h.reset();
      // A watch that streamed until its deadline ended normally from the caller's view.
      if (sink != nullptr && code >= 200 && code < 300)
        return HttpResponse{static_cast<int>(code), content_type, {}};
      return unexpected(
          Error{0, std::string(kReasonTimeout),
                req.method + " " + req.target + ": " + (errbuf[0] ? errbuf : "timed out")});
    }
    if (result != CURLE_OK) {
      h.reset();
      return unexpected(Error{0, std::string(kReasonTransport),
                              req.method + " " + req.target + ": " +
                                  (errbuf[0] ? errbuf : curl_easy_strerror(result))});
    }
    give_back();
    return HttpResponse{static_cast<int>(code), content_type, std::move(t.body)};
  }
};

CurlTransport::CurlTransport(RestConfig config, Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(config), clock)) {}
CurlTransport::~CurlTransport() = default;

Expected<HttpResponse, Error> CurlTransport::request(const HttpRequest& req, std::stop_token stop) {
  return impl_->perform(req, nullptr, std::move(stop));
}

Expected<HttpResponse, Error> CurlTransport::stream(const HttpRequest& req, const DataSink& on_data,
                                                    std::stop_token stop) {
  return impl_->perform(req, &on_data, std::move(stop));
}

long CurlTransport::connections_opened_for_test() const { return impl_->connects.load(); }

}  // namespace ferrum::kube
