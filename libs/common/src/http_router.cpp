#include <algorithm>

#include "ferrum/http/router.hpp"

namespace ferrum::http {

Router& Router::add(std::vector<std::string> methods, std::string path, Handler h) {
  exact_[std::move(path)] = Route{std::move(methods), std::move(h)};
  return *this;
}

Router& Router::prefix(std::vector<std::string> methods, std::string prefix, Handler h) {
  prefixes_.emplace_back(std::move(prefix), Route{std::move(methods), std::move(h)});
  std::stable_sort(prefixes_.begin(), prefixes_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  return *this;
}

Router& Router::fallback(Handler h) {
  fallback_ = std::move(h);
  return *this;
}

Router& Router::not_found_text(std::string text) {
  not_found_ = std::move(text);
  return *this;
}

void Router::dispatch(const Route& r, Request& req, Exchange& ex) const {
  if (std::find(r.methods.begin(), r.methods.end(), req.method) != r.methods.end()) {
    r.handler(req, ex);
    return;
  }
  std::string allow;
  for (const auto& m : r.methods) allow += (allow.empty() ? "" : ", ") + m;
  auto res =
      Response::text(405, "method " + req.method.substr(0, 16) + " not allowed (" + allow + ")\n");
  res.headers.emplace_back("Allow", allow);
  ex.respond(std::move(res));
}

void Router::operator()(Request& req, Exchange& ex) const {
  if (auto it = exact_.find(req.path); it != exact_.end()) return dispatch(it->second, req, ex);
  for (const auto& [p, route] : prefixes_) {
    if (req.path.starts_with(p)) return dispatch(route, req, ex);
  }
  if (fallback_) return fallback_(req, ex);
  ex.respond(Response::text(404, not_found_));
}

}  // namespace ferrum::http
