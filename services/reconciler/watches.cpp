#include "watches.hpp"

#include <algorithm>
#include <cassert>
#include <memory>

namespace ferrum::reconciler {

WatchSet& WatchSet::for_kind(const model::ResourceKind& kind) {
  watches_.push_back(Watch{&kind, nullptr, kOnAll, nullptr, {}});
  return *this;
}

WatchSet& WatchSet::watches(const model::ResourceKind& kind, MapFunc map) {
  assert(map);
  watches_.push_back(Watch{&kind, std::move(map), kOnAll, nullptr, {}});
  return *this;
}

WatchSet& WatchSet::on(EventSet events) {
  last().on = events;
  return *this;
}

WatchSet& WatchSet::when(UpdateFilter filter) {
  last().when = std::move(filter);
  return *this;
}

WatchSet& WatchSet::after(Clock::Duration delay) {
  last().after = delay;
  return *this;
}

WatchSet& WatchSet::ensure(std::string key) {
  start_keys_.push_back(std::move(key));
  return *this;
}

Watch& WatchSet::last() {
  // A modifier before any watch is a wiring bug, not an input error.
  assert(!watches_.empty());
  return watches_.back();
}

std::vector<std::string> same_key(const kube::Json& obj) { return {kube::object_key(obj)}; }

kube::EventHandlers handlers_for(const Watch& watch, Enqueue enqueue) {
  // Shared by the three handlers, which the informer keeps as long as it lives.
  auto w = std::make_shared<const Watch>(watch);
  auto add = std::make_shared<const Enqueue>(std::move(enqueue));
  auto keys = [w](const kube::Json& obj) { return w->map ? w->map(obj) : same_key(obj); };
  auto each = [w, add](const std::vector<std::string>& ks) {
    for (const auto& k : ks) (*add)(k, w->after);
  };
  kube::EventHandlers h;
  if (w->on & kOnAdd) h.on_add = [keys, each](const kube::Json& obj) { each(keys(obj)); };
  if (w->on & kOnUpdate) {
    h.on_update = [w, keys, each](const kube::Json& old_obj, const kube::Json& new_obj) {
      if (w->when && !w->when(old_obj, new_obj)) return;
      auto ks = keys(new_obj);
      if (w->map && &old_obj != &new_obj) {
        for (auto& k : keys(old_obj)) {
          if (std::find(ks.begin(), ks.end(), k) == ks.end()) ks.push_back(std::move(k));
        }
      }
      each(ks);
    };
  }
  if (w->on & kOnDelete) h.on_delete = [keys, each](const kube::Json& obj) { each(keys(obj)); };
  return h;
}

}  // namespace ferrum::reconciler
