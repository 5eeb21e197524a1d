#pragma once
// Typed wrappers over the untyped client for Ferrum's model views (ferrum/model/*): any
// type constructible from nlohmann::json with raw() giving it back (model::Object and its
// subclasses: Server, ServerClass, ...). The JSON stays whole, so fields the view does not
// know survive a read-modify-write (DESIGN.md 3).

#include <string_view>
#include <vector>

#include "ferrum/kube/client.hpp"
#include "ferrum/model/kinds.hpp"

namespace ferrum::kube {

// The REST resource of a model kind, at its storage version.
inline ResourceId resource_of(const model::ResourceKind& k) {
  return {std::string(k.group), std::string(k.version), std::string(k.plural), k.namespaced};
}

template <typename View>
Result<View> get_as(Reader& r, const model::ResourceKind& k, std::string_view ns,
                    std::string_view name) {
  auto j = r.get(resource_of(k), ns, name);
  if (!j) return unexpected(j.error());
  return View(std::move(*j));
}

template <typename View>
Result<std::vector<View>> list_as(Reader& r, const model::ResourceKind& k, std::string_view ns = {},
                                  ListOptions opts = {}) {
  auto l = list_all(r, resource_of(k), ns, std::move(opts));
  if (!l) return unexpected(l.error());
  std::vector<View> out;
  out.reserve(l->items.size());
  for (auto& item : l->items) out.emplace_back(std::move(item));
  return out;
}

template <typename View>
Result<View> create_as(Writer& w, const model::ResourceKind& k, const View& v) {
  auto j = w.create(resource_of(k), v.raw());
  if (!j) return unexpected(j.error());
  return View(std::move(*j));
}

template <typename View>
Result<View> update_as(Writer& w, const model::ResourceKind& k, const View& v) {
  auto j = w.update(resource_of(k), v.raw());
  if (!j) return unexpected(j.error());
  return View(std::move(*j));
}

template <typename View>
Result<View> update_status_as(Writer& w, const model::ResourceKind& k, const View& v) {
  auto j = w.update_status(resource_of(k), v.raw());
  if (!j) return unexpected(j.error());
  return View(std::move(*j));
}

}  // namespace ferrum::kube
