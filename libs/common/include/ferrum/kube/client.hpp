#pragma once
// The Kubernetes API client every daemon uses: untyped (nlohmann::json) CRUD, status,
// patch and watch, split into Reader / Writer / Watcher as controller-runtime splits them,
// so a component that only reads takes a Reader&.
//
// Contract:
// - Calls return the object the server answered with, or a kube::Error (error.hpp): any
//   non-2xx answer, transport failures (code 0), and a cancelled/expired call.
// - Namespaces: for namespaced resources, create/update/update_status take the namespace
//   from the object's metadata (an object without one is a BadClientRequest error); get,
//   patch and remove take it as an argument; list and watch with "" span all namespaces.
// - Every call first takes a token from the client's QPS/burst bucket (config.hpp says why
//   the defaults are high) and carries a deadline (RestConfig::timeout; watches:
//   timeoutSeconds plus a margin).
// - Thread-safe: one client is shared by all of a daemon's threads.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "ferrum/clock.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/kube/config.hpp"
#include "ferrum/kube/error.hpp"
#include "ferrum/kube/resource.hpp"
#include "ferrum/kube/token_bucket.hpp"
#include "ferrum/kube/transport.hpp"
#include "ferrum/kube/watch.hpp"

namespace ferrum::kube {

using Json = nlohmann::json;
template <typename T>
using Result = Expected<T, Error>;

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::int64_t limit = 0;      // 0 = no paging
  std::string continue_token;  // from the previous page's metadata.continue
  std::string resource_version;
  std::string resource_version_match;  // "NotOlderThan" | "Exact"
};

// The items of a whole collection and the resourceVersion to watch from.
struct ObjectList {
  std::vector<Json> items;
  std::string resource_version;
};

enum class PatchType { kJson, kMerge, kStrategicMerge };
std::string_view patch_content_type(PatchType t);

struct DeleteOptions {
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  std::string propagation_policy;  // "" (server default) | Orphan | Background | Foreground
  std::optional<std::int64_t> grace_period_seconds;
};

class Reader {
 public:
  virtual ~Reader() = default;
  virtual Result<Json> get(const ResourceId& r, std::string_view ns, std::string_view name) = 0;
  // One page: the List object as answered (items, metadata.resourceVersion/continue).
  virtual Result<Json> list(const ResourceId& r, std::string_view ns,
                            const ListOptions& opts = {}) = 0;
};

class Writer {
 public:
  virtual ~Writer() = default;
  virtual Result<Json> create(const ResourceId& r, const Json& obj) = 0;
  // Replaces the object; metadata.resourceVersion makes it conditional (409 Conflict if stale).
  virtual Result<Json> update(const ResourceId& r, const Json& obj) = 0;
  // The status subresource (spec changes ignored by the server).
  virtual Result<Json> update_status(const ResourceId& r, const Json& obj) = 0;
  // `subresource` "" or "status".
  virtual Result<Json> patch(const ResourceId& r, std::string_view ns, std::string_view name,
                             PatchType type, const Json& patch,
                             std::string_view subresource = {}) = 0;
  // The answer: a Status (removed) or the object (deletion pending on finalizers).
  virtual Result<Json> remove(const ResourceId& r, std::string_view ns, std::string_view name,
                              const DeleteOptions& opts = {}) = 0;
};

class Client : public Reader, public Writer, public Watcher {};

// Every page of a list, following `continue` (pages of `page_size`); when a continue
// token has expired (410) it lists again without paging, as client-go's pager does.
Result<ObjectList> list_all(Reader& reader, const ResourceId& r, std::string_view ns,
                            ListOptions opts = {}, std::int64_t page_size = 500);

// The real client over an HttpTransport.
class RestClient final : public Client {
 public:
  // Over libcurl with `config`'s server, TLS, credentials, limits.
  explicit RestClient(const RestConfig& config, Clock& clock = real_clock());
  // Over any transport (tests); qps/burst/timeout from `config`.
  RestClient(std::shared_ptr<HttpTransport> transport, const RestConfig& config,
             Clock& clock = real_clock());

  Result<Json> get(const ResourceId& r, std::string_view ns, std::string_view name) override;
  Result<Json> list(const ResourceId& r, std::string_view ns,
                    const ListOptions& opts = {}) override;
  Result<Json> create(const ResourceId& r, const Json& obj) override;
  Result<Json> update(const ResourceId& r, const Json& obj) override;
  Result<Json> update_status(const ResourceId& r, const Json& obj) override;
  Result<Json> patch(const ResourceId& r, std::string_view ns, std::string_view name,
                     PatchType type, const Json& patch, std::string_view subresource = {}) override;
  Result<Json> remove(const ResourceId& r, std::string_view ns, std::string_view name,
                      const DeleteOptions& opts = {}) override;
  Result<WatchEnd> watch(const ResourceId& r, std::string_view ns, const WatchOptions& opts,
                         const WatchHandler& handler, std::stop_token stop) override;

  HttpTransport& transport() { return *transport_; }

 private:
  Result<Json> call(HttpRequest req);
  Result<Json> put_object(const ResourceId& r, const Json& obj, std::string_view subresource);

  std::shared_ptr<HttpTransport> transport_;
  RestConfig config_;
  Clock& clock_;
  TokenBucket limiter_;
};

// The query string for a list call ("" when nothing is set).
std::string list_query(const ListOptions& o);

}  // namespace ferrum::kube
