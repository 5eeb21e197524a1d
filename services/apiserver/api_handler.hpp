#pragma once
// The Kubernetes REST semantics of ferrum-apiserver, independent of sockets: discovery,
// OpenAPI, and get/list/watch/create/update/patch/delete on every resource of the catalog,
// with the status subresource, conversion between served versions, schema validation,
// Table output, finalizers and owner-reference garbage collection.
//
// Contract: handle() answers every non-watch request through `done`, which may run on the
// store's committer thread (writes are answered once durable) — it must not block.
// open_watch() answers a watch request with a WatchStream the transport pumps.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api_error.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"
#include "object_store.hpp"
#include "resource_catalog.hpp"
#include "watch_stream.hpp"
#include "write_strategy.hpp"

namespace ferrum::apiserver {

struct HttpRequest {
  std::string method;
  std::string target;
  std::string content_type;
  std::string accept;
  std::string authorization;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HandlerSettings {
  std::string token;            // bearer token clients must present
  std::string server_address;   // host:port clients use (discovery's serverAddressByClientCIDRs)
  std::size_t watch_queue = 10'000;           // events a watcher may have queued (WatchStream)
  std::size_t watch_queue_bytes = 16u << 20;  // and their objects' stored size
};

class ApiHandler {
 public:
  ApiHandler(HandlerSettings settings, ObjectStore& store, log::Logger log, metrics::Registry& registry);
  ~ApiHandler();

  // After the store has loaded: builds the catalog from stored CRDs, makes sure the
  // default and kube-system namespaces exist, starts the garbage collector.
  void bootstrap();
  void stop();
  // Creates or updates every CustomResourceDefinition in the YAML files of `dir`; returns
  // how many were applied. The error names the file and the problem.
  Expected<int, std::string> apply_crd_dir(const std::string& dir);

  bool authorized(const HttpRequest& req) const;
  bool is_watch(const HttpRequest& req) const;
  void handle(HttpRequest req, std::function<void(HttpResponse)> done);
  Expected<std::shared_ptr<WatchStream>, HttpResponse> open_watch(const HttpRequest& req);

  std::shared_ptr<const Catalog> catalog() const;
  void stop_watch(const WatchStream* ws) { store_.unwatch(ws); }
  void set_server_address(std::string a) {
    std::lock_guard lock(catalog_mu_);
    settings_.server_address = std::move(a);
  }
  std::string server_address() const {
    std::lock_guard lock(catalog_mu_);
    return settings_.server_address;
  }
  static HttpResponse error_response(const ApiError& e);

 private:
  struct Call;
  void dispatch(Call& call);
  void get(Call& call);
  void list(Call& call);
  void create(Call& call);
  void update(Call& call, bool status);
  void patch(Call& call, bool status);
  void remove(Call& call);
  void discovery(Call& call);
  // Builds the candidate (in the request's version) from the current object under the
  // store's write lock, runs the kind's WriteStrategy on it (write_strategy.hpp), then
  // converts and writes it.
  using Candidate = std::function<Expected<json, ApiError>(const json* current_in_version)>;
  void write_object(Call& call, WriteKind kind, const std::string& name, Candidate make);

  Expected<json, ApiError> to_version(const ResourceType& t, const json& obj, const std::string& version) const;
  void after_commit(const ResourceType& t, const MutationResult& r);
  void rebuild_catalog();
  void collect_garbage_of(std::string uid, std::string ns_deleted);
  void run_gc();
  void delete_object(const std::string& resource, const json& obj);

  HandlerSettings settings_;
  ObjectStore& store_;
  log::Logger log_;
  metrics::Family<metrics::Counter>& requests_;
  metrics::Family<metrics::Histogram>& latency_;

  mutable std::mutex catalog_mu_;
  std::shared_ptr<const Catalog> catalog_;

  std::mutex gc_mu_;
  std::condition_variable gc_cv_;
  std::deque<std::pair<std::string, std::string>> gc_queue_;  // (owner uid, deleted namespace)
  bool gc_stop_ = false;
  std::thread gc_thread_;
};

}  // namespace ferrum::apiserver
