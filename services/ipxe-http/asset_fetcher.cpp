#include "asset_fetcher.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

namespace ferrum::ipxe {
namespace {

struct EvpDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using EvpPtr = std::unique_ptr<EVP_MD_CTX, EvpDeleter>;

std::string hex(const unsigned char* p, unsigned n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 15]);
  }
  return out;
}

std::string finish(EVP_MD_CTX* ctx) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_DigestFinal_ex(ctx, md, &n);
  return hex(md, n);
}

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

struct Transfer {
  int fd;
  EVP_MD_CTX* ctx;
  std::uint64_t max_bytes;
  std::uint64_t bytes = 0;
  bool too_large = false;
  bool write_error = false;
  std::stop_token stop;
};

std::size_t on_data(char* p, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t len = size * n;
  if (t->bytes + len > t->max_bytes) {
    t->too_large = true;
    return 0;
  }
  if (!write_all(t->fd, p, len)) {
    t->write_error = true;
    return 0;
  }
  EVP_DigestUpdate(t->ctx, p, len);
  t->bytes += len;
  return len;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->stop.stop_requested()) return 1;
  if (dltotal > 0 && static_cast<std::uint64_t>(dltotal) > t->max_bytes) {
    t->too_large = true;
    return 1;
  }
  return 0;
}

struct CurlInit {
  CurlInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

FetchResult AssetFetcher::fetch(const std::string& url, int fd, std::stop_token stop) const {
  static CurlInit init;
  FetchResult r;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    r.reason = "BadURL";
    r.message = "only http:// and https:// URLs are fetched";
    return r;
  }
  EvpPtr ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), EVP_sha512(), nullptr);
  Transfer t{fd, ctx.get(), limits_.max_bytes, 0, false, false, stop};
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(limits_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(limits_.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(std::max<long>(1, limits_.low_speed_time.count() / 1000)));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "ferrum-ipxe-http");
  CURLcode rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.http_status);
  r.bytes = t.bytes;
  if (t.too_large) {
    r.reason = "TooLarge";
    r.message = "larger than --asset-max-bytes (" + std::to_string(limits_.max_bytes) + " bytes)";
    return r;
  }
  if (t.write_error) {
    r.reason = "WriteError";
    r.message = std::string("writing the asset cache failed: ") + std::strerror(errno);
    return r;
  }
  if (rc == CURLE_ABORTED_BY_CALLBACK && stop.stop_requested()) {
    r.reason = "Cancelled";
    r.message = "shutting down";
    return r;
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    r.reason = "Timeout";
    r.message = std::string("timed out: ") + (errbuf[0] ? errbuf : curl_easy_strerror(rc));
    r.retryable = true;
    return r;
  }
  if (rc != CURLE_OK) {
    r.reason = "TransportError";
    r.message = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    r.retryable = true;
    return r;
  }
  if (r.http_status < 200 || r.http_status >= 300) {
    r.reason = "HTTPError";
    r.message = "GET " + url + " answered HTTP " + std::to_string(r.http_status);
    r.retryable = r.http_status >= 500 || r.http_status == 429 || r.http_status == 408;
    return r;
  }
  r.ok = true;
  r.sha512 = finish(ctx.get());
  return r;
}

std::string sha512_file(int fd) {
  EvpPtr ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), EVP_sha512(), nullptr);
  std::vector<char> buf(1 << 16);
  off_t off = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return {};
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(n));
    off += n;
  }
  return finish(ctx.get());
}

}  // namespace ferrum::ipxe
