#include "ferrum/json_text.hpp"
#include "ferrum/kube/client.hpp"

namespace ferrum::kube {

namespace {

void add_param(std::string& q, std::string_view key, std::string_view value) {
  q += q.empty() ? "?" : "&";
  q += key;
  q += "=";
  q += url_encode(value);
}

Error bad_request(std::string msg) {
  return Error{0, std::string(kReasonBadRequest), std::move(msg)};
}

}  // namespace

std::string_view patch_content_type(PatchType t) {
  switch (t) {
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

std::string list_query(const ListOptions& o) {
  std::string q;
  if (!o.label_selector.empty()) add_param(q, "labelSelector", o.label_selector);
  if (!o.field_selector.empty()) add_param(q, "fieldSelector", o.field_selector);
  if (o.limit > 0) add_param(q, "limit", std::to_string(o.limit));
  if (!o.continue_token.empty()) add_param(q, "continue", o.continue_token);
  if (!o.resource_version.empty()) add_param(q, "resourceVersion", o.resource_version);
  if (!o.resource_version_match.empty())
    add_param(q, "resourceVersionMatch", o.resource_version_match);
  return q;
}

std::string watch_query(const WatchOptions& o) {
  std::string q = "?watch=1";
  if (!o.resource_version.empty()) add_param(q, "resourceVersion", o.resource_version);
  if (o.allow_bookmarks) add_param(q, "allowWatchBookmarks", "true");
  if (!o.label_selector.empty()) add_param(q, "labelSelector", o.label_selector);
  if (!o.field_selector.empty()) add_param(q, "fieldSelector", o.field_selector);
  if (o.timeout.count() > 0) add_param(q, "timeoutSeconds", std::to_string(o.timeout.count()));
  return q;
}

RestClient::RestClient(const RestConfig& config, Clock& clock)
    : RestClient(std::make_shared<CurlTransport>(config, clock), config, clock) {}

RestClient::RestClient(std::shared_ptr<HttpTransport> transport, const RestConfig& config,
                       Clock& clock)
    : transport_(std::move(transport)),
      config_(config),
      clock_(clock),
      limiter_(config.qps, config.burst, clock) {}

Result<Json> RestClient::call(HttpRequest req) {
  limiter_.wait({});
  auto resp = transport_->request(req);
  if (!resp) return unexpected(resp.error());
  if (resp->status < 200 || resp->status > 299)
    return unexpected(error_from_response(resp->status, resp->body));
  if (resp->body.empty()) return Json(nullptr);
  auto j = Json::parse(resp->body, nullptr, false);
  if (j.is_discarded())
    return unexpected(Error{resp->status, std::string(kReasonBadResponse),
                            req.method + " " + req.target + ": answer is not JSON"});
  return j;
}

Result<Json> RestClient::get(const ResourceId& r, std::string_view ns, std::string_view name) {
  if (name.empty()) return unexpected(bad_request("get " + r.plural + ": empty name"));
  return call({"GET", r.object_path(ns, name), {}, {}, "application/json", {}});
}

Result<Json> RestClient::list(const ResourceId& r, std::string_view ns, const ListOptions& opts) {
  return call({"GET", r.collection_path(ns) + list_query(opts), {}, {}, "application/json", {}});
}

Result<Json> RestClient::create(const ResourceId& r, const Json& obj) {
  std::string ns = namespace_of(obj);
  if (r.namespaced && ns.empty())
    return unexpected(bad_request("create " + r.plural + ": metadata.namespace is empty"));
  return call({"POST",
               r.collection_path(r.namespaced ? ns : ""),
               json_text::dump(obj),
               "application/json",
               "application/json",
               {}});
}

Result<Json> RestClient::put_object(const ResourceId& r, const Json& obj, std::string_view sub) {
  std::string ns = namespace_of(obj);
  std::string name = name_of(obj);
  if (name.empty())
    return unexpected(bad_request("update " + r.plural + ": metadata.name is empty"));
  if (r.namespaced && ns.empty())
    return unexpected(bad_request("update " + r.plural + ": metadata.namespace is empty"));
  return call({"PUT",
               r.object_path(r.namespaced ? ns : "", name, sub),
               json_text::dump(obj),
               "application/json",
               "application/json",
               {}});
}

Result<Json> RestClient::update(const ResourceId& r, const Json& obj) {
  return put_object(r, obj, "");
}
Result<Json> RestClient::update_status(const ResourceId& r, const Json& obj) {
  return put_object(r, obj, "status");
}

Result<Json> RestClient::patch(const ResourceId& r, std::string_view ns, std::string_view name,
                               PatchType type, const Json& patch, std::string_view subresource) {
  if (name.empty()) return unexpected(bad_request("patch " + r.plural + ": empty name"));
  if (type == PatchType::kJson && !patch.is_array())
    return unexpected(
        bad_request("patch " + r.plural + ": a JSON patch is an array of operations"));
  return call({"PATCH",
               r.object_path(ns, name, subresource),
               json_text::dump(patch),
               std::string(patch_content_type(type)),
               "application/json",
               {}});
}

Result<Json> RestClient::remove(const ResourceId& r, std::string_view ns, std::string_view name,
                                const DeleteOptions& opts) {
  if (name.empty()) return unexpected(bad_request("delete " + r.plural + ": empty name"));
  Json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (opts.precondition_uid) body["preconditions"]["uid"] = *opts.precondition_uid;
  if (opts.precondition_resource_version)
    body["preconditions"]["resourceVersion"] = *opts.precondition_resource_version;
  if (!opts.propagation_policy.empty()) body["propagationPolicy"] = opts.propagation_policy;
  if (opts.grace_period_seconds) body["gracePeriodSeconds"] = *opts.grace_period_seconds;
  return call({"DELETE",
               r.object_path(ns, name),
               json_text::dump(body),
               "application/json",
               "application/json",
               {}});
}

Result<WatchEnd> RestClient::watch(const ResourceId& r, std::string_view ns,
                                   const WatchOptions& opts, const WatchHandler& handler,
                                   std::stop_token stop) {
  if (!limiter_.wait(stop))
    return unexpected(Error{0, std::string(kReasonCancelled), "watch cancelled"});
  HttpRequest req{"GET", r.collection_path(ns) + watch_query(opts), {}, {}, "application/json", {}};
  // The server ends the call at timeoutSeconds; our own deadline comes a little later so
  // that a connection that silently died is noticed.
  req.timeout = opts.timeout.count() > 0
                    ? std::chrono::milliseconds(opts.timeout) + std::chrono::seconds(30)
                    : std::chrono::hours(24);
  WatchEnd end{opts.resource_version};
  WatchDecoder decoder;
  std::optional<Error> failure;
  auto on_event = [&](WatchEvent&& ev) {
    if (ev.type == EventType::kError) {
      failure = error_from_status(ev.object, 500);
      return false;
    }
    std::string rv = resource_version_of(ev.object);
    if (!rv.empty()) end.last_resource_version = rv;
    return handler(std::move(ev));
  };
  auto resp = transport_->stream(
      req,
      [&](std::string_view data) {
        if (auto err = decoder.feed(data, on_event)) {
          failure = *err;
          return false;
        }
        return !decoder.stopped();
      },
      stop);
  if (failure) return unexpected(*failure);
  if (!resp) return unexpected(resp.error());
  if (resp->status < 200 || resp->status > 299)
    return unexpected(error_from_response(resp->status, resp->body));
  return end;
}

Result<ObjectList> list_all(Reader& reader, const ResourceId& r, std::string_view ns,
                            ListOptions opts, std::int64_t page_size) {
  ObjectList out;
  opts.limit = page_size;
  opts.continue_token.clear();
  for (;;) {
    auto page = reader.list(r, ns, opts);
    if (!page) {
      if (is_gone(page.error()) && !opts.continue_token.empty()) {
        // The continue token expired mid-way: one unpaged list from the start.
        out.items.clear();
        opts.limit = 0;
        opts.continue_token.clear();
        continue;
      }
      return unexpected(page.error());
    }
    Json& p = *page;
    // Lists leave kind/apiVersion off their items; put them back so cached objects are whole.
    std::string kind = p.value("kind", "");
    if (kind.size() > 4 && kind.ends_with("List"))
      kind.resize(kind.size() - 4);
    else
      kind.clear();
    std::string api_version = p.value("apiVersion", "");
    if (auto it = p.find("items"); it != p.end() && it->is_array()) {
      for (auto& item : *it) {
        if (item.is_object()) {
          if (!kind.empty() && !item.contains("kind")) item["kind"] = kind;
          if (!api_version.empty() && !item.contains("apiVersion"))
            item["apiVersion"] = api_version;
        }
        out.items.push_back(std::move(item));
      }
    }
    std::string next;
    if (auto m = p.find("metadata"); m != p.end() && m->is_object()) {
      out.resource_version = m->value("resourceVersion", out.resource_version);
      next = m->value("continue", "");
    }
    if (next.empty() || opts.limit == 0) break;
    opts.continue_token = next;
  }
  return out;
}

}  // namespace ferrum::kube
