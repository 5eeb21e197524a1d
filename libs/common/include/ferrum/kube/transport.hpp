#pragma once
// The HTTP(S) layer under the Kubernetes client: one narrow interface, one libcurl
// implementation (CurlTransport), test doubles in tests.
//
// Contract:
// - request(): sends one request and returns the whole answer, whatever its HTTP status; an
//   Error (code 0) only when no complete answer arrived: connect/TLS failure, reset,
//   timeout (reason ClientTimeout), body over the size limit (BadResponse), or `stop`
//   requested (Cancelled; the transfer is aborted at once, not at the next timeout).
// - stream(): for watches. A 2xx answer's body is handed to `on_data` as it arrives (chunk
//   boundaries are arbitrary); returning false from on_data ends the transfer and stream()
//   returns the response (status set, empty body). A non-2xx answer is buffered and returned
//   like request() does. Ends when the server ends the body, at the request's timeout, or
//   on `stop` (Cancelled).
// - Both are safe to call from many threads; connections are reused across calls.

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "ferrum/clock.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/kube/config.hpp"
#include "ferrum/kube/error.hpp"

namespace ferrum::kube {

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // path and query: "/api/v1/namespaces/x/secrets?limit=500"
  std::string body;
  std::string content_type;  // of the body; empty without one
  std::string accept = "application/json";
  std::chrono::milliseconds timeout{0};  // 0 = the transport's default
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

using DataSink = std::function<bool(std::string_view)>;

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual Expected<HttpResponse, Error> request(const HttpRequest& req,
                                                std::stop_token stop = {}) = 0;
  virtual Expected<HttpResponse, Error> stream(const HttpRequest& req, const DataSink& on_data,
                                               std::stop_token stop) = 0;
};

// libcurl over HTTP/1.1 (a watch is one chunked response), TLS from RestConfig (CA, client
// certificate and key as in-memory blobs, never temp files), bearer token (re-read from
// token_file every minute), TCP keepalive, a pool of handles each keeping its connections.
class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(RestConfig config, Clock& clock = real_clock());
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Expected<HttpResponse, Error> request(const HttpRequest& req, std::stop_token stop = {}) override;
  Expected<HttpResponse, Error> stream(const HttpRequest& req, const DataSink& on_data,
                                       std::stop_token stop) override;

  // Connections opened so far (tests check reuse with it).
  long connections_opened_for_test() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ferrum::kube
