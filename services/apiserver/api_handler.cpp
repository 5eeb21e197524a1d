#include "api_handler.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <limits>
#include <optional>
#include <random>
#include <sstream>

#include "ferrum/base64.hpp"
#include "ferrum/json_text.hpp"
#include "ferrum/model/conversion.hpp"
#include "ferrum/model/label_selector.hpp"
#include "ferrum/patch.hpp"
#include "ferrum/yaml.hpp"
#include "field_selector.hpp"
#include "k8s_protobuf.hpp"
#include "openapi.hpp"
#include "request_info.hpp"
#include "strategic_merge.hpp"
#include "table.hpp"
#include "write_strategy.hpp"

namespace ferrum::apiserver {

namespace {

constexpr const char* kTableAccept = "as=Table";
// Storage keys of the built-in resources the server itself writes.
const std::string kCrdKey = "apiextensions.k8s.io/customresourcedefinitions";
const std::string kNamespaceKey = "/namespaces";

// Version 4 UUIDs from a per-thread generator seeded once from the OS's CSPRNG: unique
// without a system call per object (RAND_bytes checks the pid on every call).
std::mt19937_64& uid_rng() {
  thread_local std::mt19937_64 rng = [] {
    std::uint64_t seed[2] = {};
    RAND_bytes(reinterpret_cast<unsigned char*>(seed), sizeof seed);
    std::seed_seq seq{seed[0], seed[0] >> 32, seed[1], seed[1] >> 32};
    return std::mt19937_64(seq);
  }();
  return rng;
}

std::string new_uid() {
  std::uint64_t hi = uid_rng()(), lo = uid_rng()();
  unsigned char b[16];
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<unsigned char>(hi >> (56 - 8 * i));
    b[8 + i] = static_cast<unsigned char>(lo >> (56 - 8 * i));
  }
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // variant 1
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

std::string random_suffix() {
  // Kubernetes' generateName alphabet: no vowels (no words), no look-alikes.
  static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  unsigned char b[5];
  RAND_bytes(b, sizeof b);
  std::string s;
  for (unsigned char c : b) s += alphabet[c % (sizeof alphabet - 1)];
  return s;
}

bool json_equal_ignoring(const json& a, const json& b, std::initializer_list<const char*> md_fields) {
  json x = a, y = b;
  for (auto* f : md_fields) {
    if (x.contains("metadata")) x["metadata"].erase(f);
    if (y.contains("metadata")) y["metadata"].erase(f);
  }
  return x == y;
}

json strip(json obj, std::initializer_list<const char*> keys) {
  for (auto* k : keys) obj.erase(k);
  return obj;
}

// A resourceVersion as clients send it: decimal digits only (APIObjectVersioner
// ParseResourceVersion; "" and "0" mean any).
std::optional<std::uint64_t> parse_resource_version(const std::string& text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    auto digit = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

// A Warning header value as Kubernetes writes it (k8s.io/apimachinery/pkg/util/net/http.go,
// NewWarningHeader: code, agent, then the text as Go's strconv.Quote writes it): the text
// names client-chosen fields, so quotes, backslashes and control bytes are escaped and
// cannot end the header or split the response.
std::string warning_header(const std::string& text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "299 - \"";
  for (char ch : json_text::valid_utf8(text)) {
    auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace

// One request in flight; shared by the asynchronous completions of writes.
struct ApiHandler::Call : std::enable_shared_from_this<ApiHandler::Call> {
  HttpRequest req;
  std::function<void(HttpResponse)> done;
  RequestInfo info;
  std::map<std::string, std::string> query;
  std::shared_ptr<const Catalog> catalog;
  const ResourceType* type = nullptr;
  const ResourceVersion* version = nullptr;
  std::string verb;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  bool table = false;
  std::vector<std::string> warnings;

  std::string param(const std::string& k) const {
    auto it = query.find(k);
    return it == query.end() ? std::string() : it->second;
  }
  void fail(const ApiError& e) { done(ApiHandler::error_response(e)); }
  void reply(int status, const json& body) {
    HttpResponse r;
    r.status = status;
    r.body = json_text::dump(body);
    for (const auto& w : warnings) r.headers.emplace_back("Warning", warning_header(w));
    done(std::move(r));
  }
};

ApiHandler::ApiHandler(HandlerSettings settings, ObjectStore& store, log::Logger log,
                       metrics::Registry& registry)
    : settings_(std::move(settings)),
      store_(store),
      log_(std::move(log)),
      requests_(registry.counter("ferrum_apiserver_requests_total",
                                 "API requests by verb, resource and HTTP code.", {"verb", "resource", "code"})),
      latency_(registry.histogram("ferrum_apiserver_request_duration_seconds",
                                  "Time from request to response (writes include the durable commit).",
                                  metrics::exponential_buckets(0.0005, 2, 14), {"verb"})),
      catalog_(Catalog::builtins()) {
  registry.gauge_callback("ferrum_apiserver_objects", "Objects stored.",
                          [this] { return static_cast<double>(store_.object_count()); });
  registry.gauge_callback("ferrum_apiserver_watchers", "Open watches.",
                          [this] { return static_cast<double>(store_.watcher_count()); });
  registry.counter_callback(
      "ferrum_apiserver_watchers_terminated_total",
      "Watches closed because the client did not keep up (the watch buffer was full).",
      [this] { return static_cast<double>(store_.watchers_dropped()); });
  registry.gauge_callback("ferrum_apiserver_watch_history_bytes",
                          "Stored size of the events kept for watches.",
                          [this] { return static_cast<double>(store_.history_bytes()); });
  registry.gauge_callback("ferrum_apiserver_resource_version", "Last resourceVersion committed.",
                          [this] { return static_cast<double>(store_.committed_rv()); });
  registry.gauge_callback("ferrum_apiserver_commits", "Durable commits (each may hold many writes).",
                          [this] { return static_cast<double>(store_.commits()); });
}

ApiHandler::~ApiHandler() { stop(); }

std::shared_ptr<const Catalog> ApiHandler::catalog() const {
  std::lock_guard lock(catalog_mu_);
  return catalog_;
}

HttpResponse ApiHandler::error_response(const ApiError& e) {
  HttpResponse r;
  r.status = e.code;
  r.body = json_text::dump(e.status());
  // As responsewriters.ErrorNegotiated does: a Status that asks for a retry says so in the header
  // too, which is what clients act on.
  if (int after = e.retry_after_seconds(); after > 0)
    r.headers.emplace_back("Retry-After", std::to_string(after));
  return r;
}

bool ApiHandler::authorized(const HttpRequest& req) const {
  const std::string want = "Bearer " + settings_.token;
  if (req.authorization.size() != want.size()) return false;
  // Constant-time compare: the token is the only secret between clients and the server.
  unsigned char diff = 0;
  for (std::size_t i = 0; i < want.size(); ++i) diff |= static_cast<unsigned char>(req.authorization[i] ^ want[i]);
  return diff == 0;
}

void ApiHandler::rebuild_catalog() {
  auto listed = store_.list(kCrdKey, "", "", 0, nullptr);
  std::vector<json> crds;
  for (const auto& o : listed.items) {
    if (!(*o)["metadata"].contains("deletionTimestamp")) crds.push_back(*o);
  }
  auto next = Catalog::with_crds(crds);
  std::lock_guard lock(catalog_mu_);
  catalog_ = std::move(next);
}

namespace {
// Runs a mutation synchronously (start-up only: never on the committer thread).
Expected<MutationResult, ApiError> mutate_sync(ObjectStore& store, const std::string& resource,
                                               const std::string& ns, const std::string& name,
                                               const Mutator& m) {
  std::promise<Expected<MutationResult, ApiError>> p;
  auto f = p.get_future();
  store.mutate(resource, ns, name, m, [&p](Expected<MutationResult, ApiError> r) { p.set_value(std::move(r)); });
  return f.get();
}
}  // namespace

void ApiHandler::bootstrap() {
  rebuild_catalog();
  for (const char* ns : {"default", "kube-system", "kube-public"}) {
    mutate_sync(store_, kNamespaceKey, "", ns, [ns](const json* cur) -> Expected<Decision, ApiError> {
      if (cur) return Decision::unchanged();
      return Decision::write({{"apiVersion", "v1"},
                              {"kind", "Namespace"},
                              {"metadata",
                               {{"name", ns},
                                {"uid", new_uid()},
                                {"creationTimestamp", rfc3339_now()},
                                {"labels", {{"kubernetes.io/metadata.name", ns}}}}},
                              {"spec", {{"finalizers", {"kubernetes"}}}},
                              {"status", {{"phase", "Active"}}}});
    });
  }
  gc_thread_ = std::thread([this] { run_gc(); });
}

void ApiHandler::stop() {
  {
    std::lock_guard lock(gc_mu_);
    gc_stop_ = true;
  }
  gc_cv_.notify_all();
  if (gc_thread_.joinable()) gc_thread_.join();
}

Expected<int, std::string> ApiHandler::apply_crd_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return unexpected("--crd-dir " + dir + ": not a directory");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto ext = e.path().extension();
    if (ext == ".yaml" || ext == ".yml" || ext == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  int applied = 0;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::stringstream buf;
    buf << in.rdbuf();
    auto docs = yaml::parse_all(buf.str());
    if (!docs) return unexpected(file.string() + ": " + docs.error().message());
    for (auto& doc : *docs) {
      if (!doc.is_object() || doc.value("kind", "") != "CustomResourceDefinition") continue;
      if (auto t = resource_from_crd(doc); !t) return unexpected(file.string() + ": " + t.error());
      std::string name = doc["metadata"].value("name", "");
      auto r = mutate_sync(store_, kCrdKey, "", name, [&](const json* cur) -> Expected<Decision, ApiError> {
        json obj = doc;
        obj["metadata"].erase("resourceVersion");
        obj["status"] = crd_status(obj, cur);
        if (cur) {
          if ((*cur)["spec"] == obj["spec"]) return Decision::unchanged();
          obj["metadata"]["uid"] = (*cur)["metadata"]["uid"];
          obj["metadata"]["creationTimestamp"] = (*cur)["metadata"]["creationTimestamp"];
          obj["metadata"]["generation"] = (*cur)["metadata"].value("generation", 1) + 1;
        } else {
          obj["metadata"]["uid"] = new_uid();
          obj["metadata"]["creationTimestamp"] = rfc3339_now();
          obj["metadata"]["generation"] = 1;
        }
        return Decision::write(std::move(obj));
      });
      if (!r) return unexpected(file.string() + ": " + r.error().message);
      ++applied;
    }
  }
  rebuild_catalog();
  return applied;
}

bool ApiHandler::is_watch(const HttpRequest& req) const {
  if (req.method != "GET") return false;
  auto q = parse_query(req.target);
  auto it = q.find("watch");
  // Go clients send "true", the Python client "True".
  if (it != q.end() && (it->second == "true" || it->second == "True" || it->second == "1")) return true;
  // The legacy /watch/ path prefix is not served.
  return false;
}

Expected<json, ApiError> ApiHandler::to_version(const ResourceType& t, const json& obj,
                                                const std::string& version) const {
  std::string want = t.api_version(version);
  if (obj.value("apiVersion", "") == want) return obj;
  if (t.group == "metal.sidero.dev") {
    auto r = model::convert(obj, want);
    if (!r) return unexpected(ApiError::internal("conversion to " + want + " failed: " + r.error()));
    return std::move(*r);
  }
  json out = obj;
  out["apiVersion"] = want;
  return out;
}

void ApiHandler::handle(HttpRequest req, std::function<void(HttpResponse)> done) {
  auto call = std::make_shared<Call>();
  call->req = std::move(req);
  Call* raw = call.get();
  // Count and time every answer; `raw` is alive whenever its own `done` runs.
  call->done = [this, raw, done = std::move(done)](HttpResponse r) {
    auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - raw->started).count();
    std::string verb = raw->verb.empty() ? "other" : raw->verb;
    latency_.with({verb}).observe(secs);
    requests_.with({verb, raw->type ? raw->type->qualified() : "", std::to_string(r.status)}).inc();
    if (log_.enabled(log::Level::kDebug) || r.status >= 500) {
      log_.log(r.status >= 500 ? log::Level::kError : log::Level::kDebug, "request",
               {{"method", raw->req.method},
                {"target", raw->req.target},
                {"status", r.status},
                {"seconds", secs}});
    }
    done(std::move(r));
  };
  dispatch(*call);
}

void ApiHandler::dispatch(Call& call) {
  auto info = parse_request_target(call.req.target);
  if (!info) {
    call.fail((ApiError::bad_request(info.error())));
    return;
  }
  call.info = std::move(*info);
  call.query = parse_query(call.req.target);
  call.catalog = catalog();
  call.table = call.req.accept.find(kTableAccept) != std::string::npos;
  const std::string& method = call.req.method;

  if (!call.info.is_resource) {
    if (method != "GET" && method != "HEAD") {
      call.fail((ApiError::method_not_allowed("only GET is served on " + call.info.path)));
      return;
    }
    call.verb = "discovery";
    discovery(call);
    return;
  }

  const RequestInfo& ri = call.info;
  call.type = call.catalog->find(ri.group, ri.resource);
  if (call.type == nullptr || !call.type->version(ri.version)) {
    call.fail((ApiError::not_found_path("the server could not find the requested resource (" +
                                                      ri.path + ")")));
    return;
  }
  call.version = call.type->version(ri.version);
  // namespaces/<name> addresses the Namespace object itself.
  if (ri.group.empty() && ri.resource == "namespaces" && !ri.ns.empty()) {
    call.fail((ApiError::not_found_path("the server could not find the requested resource")));
    return;
  }
  if (!call.type->namespaced && !ri.ns.empty()) {
    call.fail((ApiError::not_found_path(call.type->qualified() +
                                                      " is cluster-scoped: drop namespaces/" + ri.ns +
                                                      " from the path")));
    return;
  }
  if (!ri.subresource.empty() && ri.subresource != "status") {
    call.fail((ApiError::not_found_path("subresource \"" + ri.subresource + "\" is not served")));
    return;
  }
  if (ri.subresource == "status" && !call.version->status_subresource) {
    call.fail((ApiError::not_found_path(call.type->qualified() + " has no status subresource")));
    return;
  }

  if (method == "GET" && ri.name.empty()) {
    call.verb = "list";
    list(call);
  } else if (method == "GET") {
    call.verb = "get";
    get(call);
  } else if (method == "POST" && ri.name.empty()) {
    call.verb = "create";
    create(call);
  } else if (method == "PUT" && !ri.name.empty()) {
    call.verb = "update";
    update(call, ri.subresource == "status");
  } else if (method == "PATCH" && !ri.name.empty()) {
    call.verb = "patch";
    patch(call, ri.subresource == "status");
  } else if (method == "DELETE" && !ri.name.empty() && ri.subresource.empty()) {
    call.verb = "delete";
    remove(call);
  } else {
    call.verb = "other";
    call.fail((ApiError::method_not_allowed(method + " is not supported on " + ri.path)));
  }
}

void ApiHandler::discovery(Call& call) {
  const std::string& path = call.info.path;
  const Catalog& cat = *call.catalog;
  auto resource_list = [&](const std::string& group, const std::string& version) {
    json resources = json::array();
    for (const auto& t : cat.all()) {
      if (t.group != group) continue;
      const ResourceVersion* v = t.version(version);
      if (!v) continue;
      json r = {{"name", t.plural},
                {"singularName", t.singular},
                {"namespaced", t.namespaced},
                {"kind", t.kind},
                {"verbs", {"create", "delete", "get", "list", "patch", "update", "watch"}}};
      if (!t.short_names.empty()) r["shortNames"] = t.short_names;
      if (!t.categories.empty()) r["categories"] = t.categories;
      resources.push_back(std::move(r));
      if (v->status_subresource) {
        resources.push_back({{"name", t.plural + "/status"},
                             {"singularName", ""},
                             {"namespaced", t.namespaced},
                             {"kind", t.kind},
                             {"verbs", {"get", "patch", "update"}}});
      }
    }
    return json{{"kind", "APIResourceList"},
                {"apiVersion", "v1"},
                {"groupVersion", group.empty() ? version : group + "/" + version},
                {"resources", resources}};
  };
  auto group_json = [&](const std::string& name, const std::vector<std::string>& versions) {
    json vs = json::array();
    for (const auto& v : versions) vs.push_back({{"groupVersion", name + "/" + v}, {"version", v}});
    return json{{"name", name}, {"versions", vs}, {"preferredVersion", vs.front()}};
  };

  if (path == "/version") {
    call.reply(200, {{"major", "1"},
                     {"minor", "32"},
                     {"gitVersion", "v1.32.0+ferrum-" FERRUM_VERSION},
                     {"gitCommit", ""},
                     {"gitTreeState", "clean"},
                     {"buildDate", ""},
                     {"goVersion", ""},
                     {"compiler", "ferrum"},
                     {"platform", "linux/amd64"}});
  } else if (path == "/api") {
    call.reply(200, {{"kind", "APIVersions"},
                     {"versions", {"v1"}},
                     {"serverAddressByClientCIDRs",
                      {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address()}}}}});
  } else if (path == "/api/v1") {
    call.reply(200, resource_list("", "v1"));
  } else if (path == "/apis") {
    json groups = json::array();
    for (const auto& [name, versions] : cat.groups()) groups.push_back(group_json(name, versions));
    call.reply(200, {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}});
  } else if (path.starts_with("/apis/") && call.info.version.empty()) {
    std::string g = path.substr(6);
    for (const auto& [name, versions] : cat.groups()) {
      if (name == g) {
        json gj = group_json(name, versions);
        gj["kind"] = "APIGroup";
        gj["apiVersion"] = "v1";
        call.reply(200, gj);
        return;
      }
    }
    call.fail(ApiError::not_found_path("the server could not find the requested resource (group " + g + ")"));
  } else if (path.starts_with("/apis/") && !call.info.group.empty()) {
    for (const auto& [name, versions] : cat.groups()) {
      if (name == call.info.group &&
          std::find(versions.begin(), versions.end(), call.info.version) != versions.end()) {
        call.reply(200, resource_list(call.info.group, call.info.version));
        return;
      }
    }
    call.fail(ApiError::not_found_path("the server could not find the requested resource (" + path + ")"));
  } else if (path == "/openapi/v3") {
    call.reply(200, openapi_v3_root(cat));
  } else if (path.starts_with("/openapi/v3/")) {
    auto doc = openapi_v3_document(cat, path.substr(12));
    if (!doc) {
      call.fail(ApiError::not_found_path("no OpenAPI document for " + path.substr(12)));
    } else {
      call.reply(200, *doc);
    }
  } else if (path == "/healthz" || path == "/livez" || path == "/readyz") {
    HttpResponse r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "ok";
    call.done(std::move(r));
  } else {
    call.fail(ApiError::not_found_path("the server could not find the requested resource (" + path + ")"));
  }
}

void ApiHandler::get(Call& call) {
  const auto& ri = call.info;
  auto obj = store_.get(call.type->key(), ri.ns, ri.name);
  if (!obj) {
    call.fail(ApiError::not_found(call.type->qualified(), ri.name));
    return;
  }
  auto wire = to_version(*call.type, *obj, ri.version);
  if (!wire) {
    call.fail(wire.error());
    return;
  }
  if (ri.subresource == "status" || !call.table) {
    call.reply(200, *wire);
    return;
  }
  TableOptions opts;
  opts.include = call.param("includeObject") == "None"     ? IncludeObject::kNone
                 : call.param("includeObject") == "Object" ? IncludeObject::kObject
                                                           : IncludeObject::kMetadata;
  opts.resource_version = (*obj)["metadata"].value("resourceVersion", "");
  call.reply(200, render_table(*call.type, *call.version, {*wire}, opts));
}

namespace {
// Label + field selector matcher from the query; the error is a 400 message.
Expected<std::function<bool(const json&)>, std::string> make_matcher(const std::string& label_text,
                                                                     const std::string& fields,
                                                                     const ResourceType& t) {
  auto sel = model::LabelSelector::parse(label_text);
  if (!sel) return unexpected("labelSelector: " + sel.error());
  auto fs = parse_field_selector(fields, t.group, t.plural);
  if (!fs) return unexpected("fieldSelector: " + fs.error());
  if (sel->matches_everything() && fs->empty()) return std::function<bool(const json&)>();
  return std::function<bool(const json&)>([sel = std::move(*sel), fs = std::move(*fs)](const json& obj) {
    const auto& md = obj["metadata"];
    model::Labels labels;
    if (auto it = md.find("labels"); it != md.end() && it->is_object()) {
      for (auto& [k, v] : it->items()) {
        if (v.is_string()) labels[k] = v.get<std::string>();
      }
    }
    if (!sel.matches(labels)) return false;
    return fields_match(fs, obj);
  });
}
}  // namespace

void ApiHandler::list(Call& call) {
  const auto& ri = call.info;
  auto matcher = make_matcher(call.param("labelSelector"), call.param("fieldSelector"), *call.type);
  if (!matcher) {
    call.fail(ApiError::bad_request(matcher.error()));
    return;
  }
  std::size_t limit = 0;
  if (auto l = call.param("limit"); !l.empty()) {
    try {
      long long n = std::stoll(l);
      if (n < 0) throw std::invalid_argument("negative");
      limit = static_cast<std::size_t>(n);
    } catch (const std::exception&) {
      call.fail(ApiError::bad_request("limit: \"" + l + "\" is not a non-negative integer"));
      return;
    }
  }
  // resourceVersion as the etcd3 store reads it (k8s.io/apiserver/pkg/storage/etcd3/store.go
  // resolveGetListRev, validateMinimumResourceVersion): not a number is a 400, with continue a
  // 400, newer than anything stored a 504 Too large resource version. This store has no lagging
  // cache, so waiting (as the watch cache does for 3 s) could not make a future version appear.
  if (auto rv_text = call.param("resourceVersion"); !rv_text.empty()) {
    auto rv = parse_resource_version(rv_text);
    if (!rv) {
      call.fail(ApiError::bad_request("invalid resource version: resourceVersion: Invalid value: " +
                                      json(rv_text).dump() + ": must be a non-negative integer"));
      return;
    }
    if (!call.param("continue").empty() && rv_text != "0") {
      call.fail(
          ApiError::bad_request("specifying resource version is not allowed when using continue"));
      return;
    }
    if (auto current = store_.current_rv(); *rv > current) {
      call.fail(ApiError::too_large_resource_version(*rv, current));
      return;
    }
  }
  std::string after;
  if (auto c = call.param("continue"); !c.empty()) {
    auto decoded = base64::decode_url(c);
    json token;
    if (decoded) {
      auto parsed = json_text::parse(*decoded);
      if (parsed) token = std::move(*parsed);
    }
    if (!token.is_object() || !token.contains("start") || !token["start"].is_string()) {
      call.fail(ApiError::bad_request("continue: the token is not valid (it comes from a previous list's "
                                      "metadata.continue)"));
      return;
    }
    after = token["start"].get<std::string>();
  }
  auto result = store_.list(call.type->key(), ri.ns, after, limit, *matcher);
  json list_md = {{"resourceVersion", std::to_string(result.rv)}};
  std::string cont;
  if (!result.next_key.empty()) {
    cont = base64::encode_url(json_text::dump(json{{"start", result.next_key}, {"rv", result.rv}}));
    list_md["continue"] = cont;
  }
  if (call.table) {
    std::vector<json> items;
    items.reserve(result.items.size());
    for (const auto& o : result.items) {
      auto wire = to_version(*call.type, *o, ri.version);
      if (!wire) {
        call.fail(wire.error());
        return;
      }
      items.push_back(std::move(*wire));
    }
    TableOptions opts;
    opts.include = call.param("includeObject") == "None"     ? IncludeObject::kNone
                   : call.param("includeObject") == "Object" ? IncludeObject::kObject
                                                             : IncludeObject::kMetadata;
    opts.resource_version = std::to_string(result.rv);
    opts.continue_token = cont;
    call.reply(200, render_table(*call.type, *call.version, items, opts));
    return;
  }
  // Serialize straight from the stored objects: lists of thousands of objects are neither
  // copied nor converted when the client asks for the storage version.
  const std::string want_api = call.type->api_version(ri.version);
  std::string body = "{\"apiVersion\":" + json_text::dump(want_api) +
                     ",\"kind\":" + json_text::dump(call.type->list_kind) +
                     ",\"metadata\":" + json_text::dump(list_md) + ",\"items\":[";
  body.reserve(body.size() + result.items.size() * 3000);
  for (std::size_t i = 0; i < result.items.size(); ++i) {
    if (i) body += ',';
    const json& stored = *result.items[i];
    if (stored.value("apiVersion", "") == want_api) {
      body += json_text::dump(stored);
      continue;
    }
    auto wire = to_version(*call.type, stored, ri.version);
    if (!wire) {
      call.fail(wire.error());
      return;
    }
    body += json_text::dump(*wire);
  }
  body += "]}";
  HttpResponse r;
  r.body = std::move(body);
  call.done(std::move(r));
}

namespace {
Expected<json, ApiError> parse_body(const HttpRequest& req) {
  if (req.content_type.find("protobuf") != std::string::npos) {
    auto obj = decode_k8s_protobuf(req.body);
    if (!obj && obj.error().invalid_utf8)
      return unexpected(ApiError::bad_request(obj.error().message));
    if (!obj) return unexpected(ApiError::unsupported_media(obj.error().message));
    return std::move(*obj);
  }
  if (req.body.empty()) return unexpected(ApiError::bad_request("the request has no body"));
  bool yaml_body = req.content_type.find("yaml") != std::string::npos;
  if (!yaml_body) {
    // Nesting and UTF-8 are checked before a tree is built (json_text.hpp says why and cites
    // Kubernetes' limit).
    auto j = json_text::parse(req.body);
    if (!j)
      return unexpected(ApiError::bad_request("the request body is not valid JSON: " + j.error()));
    return std::move(*j);
  }
  auto j = yaml::parse(req.body);
  if (!j) return unexpected(ApiError::bad_request("the request body is not valid YAML: " + j.error().message()));
  return std::move(*j);
}
}  // namespace

namespace {
// The body media types kube-apiserver decodes for create and update
// (k8s.io/apiserver/pkg/endpoints/handlers/negotiation NegotiateInputSerializer: no
// Content-Type means JSON; anything it has no serializer for is a 415 naming what it accepts).
std::optional<ApiError> unsupported_body_type(const std::string& content_type) {
  std::string media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (media.empty() || media == "application/json" || media == "application/yaml" ||
      media == "application/vnd.kubernetes.protobuf") {
    return std::nullopt;
  }
  return ApiError::unsupported_media(
      "the body of the request was in an unknown format - accepted media types include: "
      "application/json, "
      "application/yaml, application/vnd.kubernetes.protobuf");
}
}  // namespace

void ApiHandler::create(Call& call) {
  if (auto err = unsupported_body_type(call.req.content_type)) {
    call.fail(*err);
    return;
  }
  auto body = parse_body(call.req);
  if (!body) {
    call.fail(body.error());
    return;
  }
  json obj = std::move(*body);
  if (!obj.is_object()) {
    call.fail(ApiError::bad_request("the request body must be a JSON object"));
    return;
  }
  const auto& ri = call.info;
  std::string want_api = call.type->api_version(ri.version);
  if (obj.contains("apiVersion") && obj["apiVersion"] != want_api) {
    call.fail(
        ApiError::bad_request("the API version in the data (" + json_text::dump(obj["apiVersion"]) +
                              ") does not match the expected API version (" + want_api + ")"));
    return;
  }
  if (obj.contains("kind") && obj["kind"] != call.type->kind) {
    call.fail(ApiError::bad_request("the kind in the data (" + json_text::dump(obj["kind"]) +
                                    ") does not match the expected kind (" + call.type->kind +
                                    ")"));
    return;
  }
  obj["apiVersion"] = want_api;
  obj["kind"] = call.type->kind;
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = json::object();
  json& md = obj["metadata"];
  if (call.type->namespaced) {
    std::string body_ns = md.value("namespace", "");
    if (!body_ns.empty() && body_ns != ri.ns) {
      call.fail(ApiError::bad_request("the namespace of the provided object (" + body_ns +
                                      ") does not match the namespace sent on the request (" + ri.ns + ")"));
      return;
    }
    if (ri.ns.empty()) {
      call.fail(ApiError::bad_request(call.type->qualified() + " is namespaced: POST to /namespaces/<ns>/" +
                                      call.type->plural));
      return;
    }
    md["namespace"] = ri.ns;
    auto ns_type = call.catalog->find("", "namespaces");
    if (!store_.get(ns_type->key(), "", ri.ns)) {
      call.fail(ApiError::not_found("namespaces", ri.ns));
      return;
    }
  } else {
    md.erase("namespace");
  }
  if (md.value("name", "").empty()) {
    std::string gen = md.value("generateName", "");
    if (gen.empty()) {
      call.fail(invalid_status(
          call.type->group, call.type->kind, "",
          {FieldError::required("metadata.name", "name or generateName is required")}));
      return;
    }
    md["name"] = gen + random_suffix();
  }
  std::string name = md.value("name", "");
  write_object(call, WriteKind::kCreate, name,
               [obj](const json*) -> Expected<json, ApiError> { return obj; });
}

void ApiHandler::update(Call& call, bool status) {
  if (auto err = unsupported_body_type(call.req.content_type)) {
    call.fail(*err);
    return;
  }
  auto body = parse_body(call.req);
  if (!body) {
    call.fail(body.error());
    return;
  }
  if (!body->is_object()) {
    call.fail(ApiError::bad_request("the request body must be a JSON object"));
    return;
  }
  json obj = std::move(*body);
  const auto& ri = call.info;
  const json md =
      obj.contains("metadata") && obj["metadata"].is_object() ? obj["metadata"] : json::object();
  std::string body_name = md.value("name", "");
  if (body_name != ri.name) {
    call.fail(ApiError::bad_request("the name of the object (" + body_name + ") does not match the name on the URL (" +
                                    ri.name + ")"));
    return;
  }
  // rest.EnsureObjectNamespaceMatchesRequestNamespace (k8s.io/apiserver/pkg/registry/rest/meta.go).
  if (std::string body_ns = md.value("namespace", ""); !body_ns.empty() && body_ns != ri.ns) {
    call.fail(ApiError::bad_request("the namespace of the provided object (" + body_ns +
                                    ") does not match the namespace sent on the request (" + ri.ns +
                                    ")"));
    return;
  }
  write_object(call, status ? WriteKind::kStatusUpdate : WriteKind::kUpdate, ri.name,
               [obj](const json*) -> Expected<json, ApiError> { return obj; });
}

void ApiHandler::patch(Call& call, bool status) {
  const std::string& ct = call.req.content_type;
  enum { kJsonPatch, kMerge, kStrategic } kind;
  if (ct.starts_with("application/json-patch+json")) {
    kind = kJsonPatch;
  } else if (ct.starts_with("application/merge-patch+json")) {
    kind = kMerge;
  } else if (ct.starts_with("application/strategic-merge-patch+json") && call.type->builtin) {
    kind = kStrategic;
  } else if (ct.starts_with("application/apply-patch+yaml")) {
    call.fail(ApiError::unsupported_media(
        "server-side apply is not supported by ferrum-apiserver: use client-side apply (kubectl apply "
        "without --server-side)"));
    return;
  } else {
    // Custom resources have no Go types to carry patch strategies, so kube-apiserver refuses
    // strategic merge on them (apiextensions-apiserver pkg/apiserver/customresource_handler.go
    // lists only JSON patch, merge patch and apply), with this message (negotiation
    // NewUnsupportedMediaTypeError).
    call.fail(ApiError::unsupported_media(
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json" +
        std::string(call.type->builtin ? ", application/strategic-merge-patch+json" : "") +
        ", application/apply-patch+yaml"));
    return;
  }
  auto parsed = json_text::parse(call.req.body);
  if (!parsed) {
    call.fail(ApiError::bad_request("the patch is not valid JSON: " + parsed.error()));
    return;
  }
  json p = std::move(*parsed);
  if (kind != kJsonPatch && !p.is_object()) {
    call.fail(ApiError::bad_request("a merge patch must be a JSON object"));
    return;
  }
  // A patch that does not set metadata.resourceVersion applies to whatever is current; it is
  // computed under the store's write lock, so it never loses a concurrent write.
  bool precondition = p.is_object() && p.contains("metadata") && p["metadata"].is_object() &&
                      p["metadata"].contains("resourceVersion");
  if (kind == kJsonPatch) {
    for (const auto& op : p) {
      if (op.is_object() && op.value("path", "") == "/metadata/resourceVersion") precondition = true;
    }
  }
  PatchSchema schema = kind == kStrategic ? builtin_patch_schema(call.type->kind) : PatchSchema{};
  auto make = [p = std::move(p), kind, precondition,
               schema = std::move(schema)](const json* current) -> Expected<json, ApiError> {
    // Patches apply to the object as the client sees it: in the version of the request.
    json patched;
    if (kind == kJsonPatch) {
      auto r = patch::apply_json_patch(*current, p);
      if (!r)
        return unexpected(
            ApiError::unprocessable("the JSON patch could not be applied: " + r.error().message()));
      patched = std::move(*r);
    } else if (kind == kStrategic) {
      auto r = apply_strategic_merge_patch(*current, p, schema);
      if (!r) return unexpected(r.error());
      patched = std::move(*r);
    } else {
      auto r = patch::apply_merge_patch(*current, p);
      if (!r)
        return unexpected(ApiError::unprocessable("the merge patch could not be applied: " +
                                                  r.error().message()));
      patched = std::move(*r);
    }
    if (!patched.is_object() || !patched.contains("metadata") || !patched["metadata"].is_object()) {
      return unexpected(ApiError::unprocessable("the patched object must be a JSON object with metadata"));
    }
    if (!precondition)
      patched["metadata"]["resourceVersion"] = (*current)["metadata"].value("resourceVersion", "");
    return patched;
  };
  write_object(call, status ? WriteKind::kStatusPatch : WriteKind::kPatch, call.info.name,
               std::move(make));
}

void ApiHandler::write_object(Call& call, WriteKind kind, const std::string& name, Candidate make) {
  auto keep = call.shared_from_this();
  const ResourceType& type = *call.type;
  const ResourceVersion& version = *call.version;
  const std::string req_version = call.info.version;
  const bool dry_run = call.param("dryRun") == "All";
  const bool creating = is_create(kind);
  const WriteStrategy& strategy = strategy_for(type);
  auto result_obj = std::make_shared<json>();  // what to answer (request version)
  auto warnings = std::make_shared<std::vector<std::string>>();
  WriteContext ctx;
  ctx.kind = kind;
  ctx.type = &type;
  ctx.version = &version;
  ctx.field_validation = call.param("fieldValidation");

  auto mutator = [&, this](const json* current) -> Expected<Decision, ApiError> {
    std::optional<json> cur_v;
    if (current) {
      auto c = to_version(type, *current, req_version);
      if (!c) return unexpected(c.error());
      cur_v = std::move(*c);
    }
    if (creating && current) return unexpected(ApiError::already_exists(type.qualified(), name));
    if (!creating && !current) return unexpected(ApiError::not_found(type.qualified(), name));
    auto cand = make(cur_v ? &*cur_v : nullptr);
    if (!cand) return unexpected(cand.error());
    json next = std::move(*cand);
    if (!next.contains("metadata") || !next["metadata"].is_object())
      next["metadata"] = json::object();

    // Optimistic concurrency: an update names the resourceVersion it was computed from.
    if (!creating) {
      auto rv = next["metadata"].value("resourceVersion", "");
      if (rv.empty()) {
        return unexpected(
            invalid_status(type.group, type.kind, name,
                           {{"FieldValueInvalid", "metadata.resourceVersion",
                             "Invalid value: 0x0: must be specified for an update"}}));
      }
      if (rv != (*current)["metadata"].value("resourceVersion", "")) {
        return unexpected(ApiError::conflict(
            type.qualified(), name, "the object has been modified; please apply your changes to the latest version and try again"));
      }
    }
    next["apiVersion"] = type.api_version(req_version);
    next["kind"] = type.kind;

    WriteContext wc = ctx;  // a retried mutator starts afresh
    if (auto err = strategy.decode(wc, next)) return unexpected(*err);
    FieldErrors problems;
    if (creating) {
      strategy.prepare_for_create(wc, next);
      // The system fields of rest.FillObjectMetaSystemFields.
      json& md = next["metadata"];
      md["uid"] = new_uid();
      md["creationTimestamp"] = rfc3339_now();
      md["generation"] = 1;
      problems = strategy.validate(wc, next);
    } else {
      strategy.prepare_for_update(wc, next, *cur_v);
      problems = strategy.validate_update(wc, next, *cur_v);
    }
    if (!problems.empty()) return unexpected(invalid_status(type.group, type.kind, name, problems));
    *warnings = std::move(wc.warnings);

    // Generation counts spec changes (everything but metadata and status).
    if (!creating && !is_status_write(kind) &&
        strip(next, {"metadata", "status", "apiVersion", "kind"}) !=
            strip(*cur_v, {"metadata", "status", "apiVersion", "kind"})) {
      next["metadata"]["generation"] = (*cur_v)["metadata"].value("generation", 0) + 1;
    }
    *result_obj = next;

    auto stored = to_version(type, next, type.storage_version().name);
    if (!stored) return unexpected(stored.error());
    if (dry_run) return Decision::unchanged();
    const json& smd = (*stored)["metadata"];
    if (smd.contains("deletionTimestamp") && (!smd.contains("finalizers") || smd["finalizers"].empty())) {
      return Decision::remove();  // the last finalizer is gone: the deletion completes
    }
    if (current && json_equal_ignoring(*stored, *current, {"resourceVersion"})) return Decision::unchanged();
    return Decision::write(std::move(*stored));
  };

  store_.mutate(type.key(), call.info.ns, name, mutator,
                [this, keep, result_obj, warnings, creating](Expected<MutationResult, ApiError> r) {
                  Call& c = *keep;
                  if (!r) {
                    c.fail(r.error());
                    return;
                  }
                  for (const auto& w : *warnings) c.warnings.push_back(w);
                  if (r->changed) after_commit(*c.type, *r);
                  if (r->changed && r->object) {
                    auto wire = to_version(*c.type, *r->object, c.info.version);
                    if (!wire) {
                      c.fail(wire.error());
                      return;
                    }
                    c.reply(creating ? 201 : 200, *wire);
                    return;
                  }
                  // Unchanged, dry run, or a deletion completed by removing the last finalizer.
                  c.reply(creating ? 201 : 200, *result_obj);
                });
}

void ApiHandler::remove(Call& call) {
  auto keep = call.shared_from_this();
  const ResourceType& type = *call.type;
  const auto& ri = call.info;
  json opts = json::object();
  if (!call.req.body.empty()) {
    auto parsed = json_text::parse(call.req.body);
    if (parsed) opts = std::move(*parsed);
    if (!parsed || !opts.is_object()) {
      call.fail(ApiError::bad_request("the DeleteOptions body is not a JSON object"));
      return;
    }
  }
  std::string policy = call.param("propagationPolicy");
  if (policy.empty()) policy = opts.value("propagationPolicy", "Background");
  if (policy != "Background" && policy != "Foreground" && policy != "Orphan") {
    call.fail(ApiError::bad_request("propagationPolicy: must be Background, Foreground or Orphan, got \"" + policy + "\""));
    return;
  }
  if (type.group.empty() && type.plural == "namespaces" &&
      (ri.name == "default" || ri.name == "kube-system" || ri.name == "kube-public")) {
    call.fail(ApiError{403, "Forbidden", "namespaces \"" + ri.name + "\" is forbidden: this namespace may not be deleted"});
    return;
  }
  const bool dry_run = call.param("dryRun") == "All";
  json pre = opts.value("preconditions", json::object());
  auto answer = std::make_shared<json>();
  auto mutator = [&](const json* current) -> Expected<Decision, ApiError> {
    if (!current) return unexpected(ApiError::not_found(type.qualified(), ri.name));
    const json& md = (*current)["metadata"];
    if (pre.is_object() && pre.contains("uid") && pre["uid"] != md.value("uid", "")) {
      return unexpected(ApiError::conflict(
          type.qualified(), ri.name,
          "Precondition failed: UID in precondition: " + json_text::dump(pre["uid"]) +
              ", UID in object meta: " + md.value("uid", "")));
    }
    if (pre.is_object() && pre.contains("resourceVersion") && pre["resourceVersion"] != md.value("resourceVersion", "")) {
      return unexpected(ApiError::conflict(
          type.qualified(), ri.name,
          "Precondition failed: resourceVersion in precondition: " +
              json_text::dump(pre["resourceVersion"]) +
              ", resourceVersion in object meta: " + md.value("resourceVersion", "")));
    }
    bool finalizers = md.contains("finalizers") && md["finalizers"].is_array() && !md["finalizers"].empty();
    if (finalizers) {
      json next = *current;
      if (md.contains("deletionTimestamp")) {
        *answer = next;
        return Decision::unchanged();
      }
      next["metadata"]["deletionTimestamp"] = rfc3339_now();
      next["metadata"]["deletionGracePeriodSeconds"] = 0;
      *answer = next;
      return dry_run ? Decision::unchanged() : Decision::write(std::move(next));
    }
    *answer = *current;
    return dry_run ? Decision::unchanged() : Decision::remove();
  };
  store_.mutate(type.key(), ri.ns, ri.name, mutator,
                [this, keep, answer, policy](Expected<MutationResult, ApiError> r) {
                  Call& c = *keep;
                  if (!r) {
                    c.fail(r.error());
                    return;
                  }
                  if (r->changed) {
                    MutationResult mr = *r;
                    if (policy == "Orphan" && !mr.object) {
                      // Dependents keep living; only the owner goes.
                      if (c.type->plural == "customresourcedefinitions") rebuild_catalog();
                    } else {
                      after_commit(*c.type, mr);
                    }
                  }
                  auto wire = to_version(*c.type, r->object ? *r->object : *answer, c.info.version);
                  if (!wire) {
                    c.fail(wire.error());
                    return;
                  }
                  c.reply(200, *wire);
                });
}

void ApiHandler::after_commit(const ResourceType& t, const MutationResult& r) {
  bool is_crd = t.group == "apiextensions.k8s.io" && t.plural == "customresourcedefinitions";
  if (is_crd) rebuild_catalog();
  if (r.object || !r.previous) return;
  // A deletion: collect dependents (and a namespace's or a CRD's contents) in the background.
  const json& md = (*r.previous)["metadata"];
  std::string ns_deleted = t.group.empty() && t.plural == "namespaces" ? md.value("name", "") : "";
  if (is_crd) {
    auto crd_t = resource_from_crd(*r.previous);
    if (crd_t) ns_deleted = "crd:" + crd_t->key();
  }
  {
    std::lock_guard lock(gc_mu_);
    gc_queue_.emplace_back(md.value("uid", ""), ns_deleted);
  }
  gc_cv_.notify_one();
}

void ApiHandler::delete_object(const std::string& resource, const json& obj) {
  const json& md = obj["metadata"];
  std::string ns = md.value("namespace", "");
  std::string name = md.value("name", "");
  std::string uid = md.value("uid", "");
  auto cat = catalog();
  const ResourceType* t = cat->find_by_key(resource);
  std::promise<void> finished;
  auto f = finished.get_future();
  store_.mutate(
      resource, ns, name,
      [&](const json* cur) -> Expected<Decision, ApiError> {
        if (!cur || (*cur)["metadata"].value("uid", "") != uid) return Decision::unchanged();
        const json& cmd = (*cur)["metadata"];
        if (cmd.contains("finalizers") && cmd["finalizers"].is_array() && !cmd["finalizers"].empty()) {
          if (cmd.contains("deletionTimestamp")) return Decision::unchanged();
          json next = *cur;
          next["metadata"]["deletionTimestamp"] = rfc3339_now();
          next["metadata"]["deletionGracePeriodSeconds"] = 0;
          return Decision::write(std::move(next));
        }
        return Decision::remove();
      },
      [&, t](Expected<MutationResult, ApiError> r) {
        if (r && r->changed && t) after_commit(*t, *r);
        finished.set_value();
      });
  f.wait();
  log_.info("garbage collected", {{"resource", resource}, {"namespace", ns}, {"name", name}});
}

void ApiHandler::run_gc() {
  for (;;) {
    std::pair<std::string, std::string> job;
    {
      std::unique_lock lock(gc_mu_);
      gc_cv_.wait(lock, [&] { return gc_stop_ || !gc_queue_.empty(); });
      if (gc_stop_) return;
      job = std::move(gc_queue_.front());
      gc_queue_.pop_front();
    }
    const auto& [uid, scope] = job;
    if (!uid.empty()) {
      for (const auto& [resource, obj] : store_.owned_by(uid)) delete_object(resource, *obj);
    }
    if (scope.starts_with("crd:")) {
      auto listed = store_.list(scope.substr(4), "", "", 0, nullptr);
      for (const auto& obj : listed.items) delete_object(scope.substr(4), *obj);
    } else if (!scope.empty()) {
      auto cat = catalog();  // keep the snapshot alive while iterating
      for (const auto& t : cat->all()) {
        if (!t.namespaced) continue;
        auto listed = store_.list(t.key(), scope, "", 0, nullptr);
        for (const auto& obj : listed.items) delete_object(t.key(), *obj);
      }
    }
  }
}

Expected<std::shared_ptr<WatchStream>, HttpResponse> ApiHandler::open_watch(const HttpRequest& req) {
  auto info = parse_request_target(req.target);
  if (!info) return unexpected(error_response(ApiError::bad_request(info.error())));
  auto cat = catalog();
  const ResourceType* type = info->is_resource ? cat->find(info->group, info->resource) : nullptr;
  if (!type || !type->version(info->version) || !info->subresource.empty()) {
    return unexpected(error_response(ApiError::not_found_path("the server could not find the requested resource")));
  }
  if (!type->namespaced && !info->ns.empty()) {
    return unexpected(error_response(ApiError::not_found_path(type->qualified() + " is cluster-scoped")));
  }
  auto q = parse_query(req.target);
  auto param = [&](const char* k) { return q.count(k) ? q[k] : std::string(); };
  std::string labels = param("labelSelector");
  std::string fields = param("fieldSelector");
  if (!info->name.empty()) fields += (fields.empty() ? "" : ",") + std::string("metadata.name=") + info->name;
  auto matcher = make_matcher(labels, fields, *type);
  if (!matcher) return unexpected(error_response(ApiError::bad_request(matcher.error())));

  const ResourceType t = *type;  // the stream outlives this catalog snapshot
  const ResourceVersion version = *type->version(info->version);
  bool table = req.accept.find(kTableAccept) != std::string::npos;
  WatchStream::Options opts;
  opts.ns = info->ns;
  opts.matches = *matcher;
  opts.max_queue = settings_.watch_queue;
  opts.max_queue_bytes = settings_.watch_queue_bytes;
  opts.bookmark_kind = t.kind;
  opts.bookmark_api_version = t.api_version(info->version);
  std::string v = info->version;
  opts.present = [this, t, version, v, table](const json& stored) -> Expected<json, ApiError> {
    auto wire = to_version(t, stored, v);
    if (!wire || !table) return wire;
    TableOptions to;
    to.resource_version = stored["metadata"].value("resourceVersion", "");
    return render_table(t, version, {*wire}, to);
  };
  auto stream = std::make_shared<WatchStream>(std::move(opts));

  std::string rv_text = param("resourceVersion");
  std::uint64_t from = 0;
  bool initial = rv_text.empty() || rv_text == "0";
  if (!initial) {
    auto parsed = parse_resource_version(rv_text);
    if (!parsed) {
      return unexpected(error_response(ApiError::bad_request("resourceVersion: \"" + rv_text + "\" is not a resourceVersion")));
    }
    from = *parsed;
  } else {
    // No resourceVersion: the current state as synthetic ADDED events, then changes. The
    // stream holds the snapshot's pointers and encodes it as the client reads.
    auto listed = store_.list(t.key(), info->ns, "", 0, *matcher);
    stream->set_initial(std::move(listed.items));
    from = listed.rv;
  }
  // A watch from a resourceVersion this store has not reached can only carry a version from
  // another history (a data directory that was reset): answer as Kubernetes answers a watch
  // whose start it cannot serve yet (k8s.io/apiserver/pkg/storage/cacher/watch_cache.go
  // waitUntilFreshAndBlock, storage/etcd3/watcher.go startWatching): one ERROR event, 504
  // "Too large resource version", so the client relists instead of waiting while the versions
  // it would skip are written. (Kubernetes v1.32 keeps a watch without sendInitialEvents open
  // instead; on its cache a future version is one still on its way from etcd.)
  if (auto current = store_.current_rv(); !initial && from > current) {
    HttpResponse r;
    json ev = {{"type", "ERROR"},
               {"object", ApiError::too_large_resource_version(from, current).status()}};
    r.body = ev.dump() + "\n";
    return unexpected(r);
  }
  stream->start_at(from);
  auto reg = store_.watch(t.key(), from, stream);
  if (!reg) {
    // Kubernetes answers a too-old resourceVersion inside the watch stream: one ERROR event.
    HttpResponse r;
    r.status = 200;
    json ev = {{"type", "ERROR"}, {"object", reg.error().status()}};
    r.body = json_text::dump(ev) + "\n";
    return unexpected(r);
  }
  return stream;
}

}  // namespace ferrum::apiserver
