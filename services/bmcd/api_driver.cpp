#include "api_driver.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

namespace ferrum::bmcd {

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;

struct Body {
  std::string data;
  bool too_large = false;
};

size_t on_data(char* ptr, size_t size, size_t n, void* user) {
  auto* b = static_cast<Body*>(user);
  size_t len = size * n;
  if (b->data.size() + len > kMaxBody) {
    b->too_large = true;
    return 0;  // aborts the transfer
  }
  b->data.append(ptr, len);
  return len;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.size() > 200) s = s.substr(0, 200) + "...";
  return s;
}

}  // namespace

Expected<bool, std::string> parse_api_status(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return unexpected(std::string("body is not JSON"));
  if (!j.is_object()) return unexpected(std::string("body is not a JSON object"));
  auto it = j.find("PoweredOn");
  if (it == j.end()) return unexpected(std::string("body has no \"PoweredOn\""));
  if (!it->is_boolean()) return unexpected(std::string("\"PoweredOn\" is not a boolean"));
  return it->get<bool>();
}

Expected<std::string, BmcError> ApiDriver::request(bool post, std::string_view path) {
  std::string url = base_ + std::string(path);
  std::string what = fmt::format("api {}: {} {}", base_, post ? "POST" : "GET", path);
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return unexpected(BmcError{BmcErrorKind::kInternal, what + ": curl_easy_init failed"});
  Body body;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, errbuf);
  if (post) {
    curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, 0L);
  }
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    BmcErrorKind kind = BmcErrorKind::kProtocol;
    if (rc == CURLE_OPERATION_TIMEDOUT) kind = BmcErrorKind::kTimeout;
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
      kind = BmcErrorKind::kUnreachable;
    if (body.too_large) detail = fmt::format("response larger than {} bytes", kMaxBody);
    return unexpected(BmcError{kind, what + ": " + detail});
  }
  long code = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
  if (code < 200 || code > 299) {
    return unexpected(
        BmcError{BmcErrorKind::kBmcError,
                 fmt::format("{}: answered HTTP {}: {}", what, code, trimmed(body.data))});
  }
  return std::move(body.data);
}

Expected<bool, BmcError> ApiDriver::powered_on() {
  auto body = request(false, "/status");
  if (!body) return unexpected(body.error());
  auto on = parse_api_status(*body);
  if (!on)
    return unexpected(
        BmcError{BmcErrorKind::kProtocol, "api " + base_ + ": GET /status: " + on.error()});
  return *on;
}

std::optional<BmcError> ApiDriver::chassis(ChassisAction action) {
  std::string_view path = "/poweron";
  if (action == ChassisAction::kPowerDown) path = "/poweroff";
  if (action == ChassisAction::kPowerCycle) path = "/reboot";
  auto r = request(true, path);
  if (!r) return r.error();
  return std::nullopt;
}

std::optional<BmcError> ApiDriver::set_boot(BootDevice device, BootMode /*mode*/) {
  if (device == BootDevice::kDisk) return std::nullopt;
  auto r = request(true, "/pxeboot");
  if (!r) return r.error();
  return std::nullopt;
}

}  // namespace ferrum::bmcd
