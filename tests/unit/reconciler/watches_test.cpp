// The watch declarations' semantics (watches.hpp): own keys, mapped keys of old and new
// objects, event filters, update predicates and delays.
#include "watches.hpp"

#include <gtest/gtest.h>

#include <utility>

namespace ferrum::reconciler {
namespace {

using kube::Json;
using Added = std::vector<std::pair<std::string, Clock::Duration>>;

Json obj(const std::string& ns, const std::string& name, const std::string& ref = "") {
  Json o{{"metadata", {{"name", name}}}};
  if (!ns.empty()) o["metadata"]["namespace"] = ns;
  if (!ref.empty()) o["spec"]["ref"] = ref;
  return o;
}

struct Recorder {
  Added added;
  Enqueue enqueue() {
    return [this](const std::string& k, Clock::Duration d) { added.emplace_back(k, d); };
  }
};

TEST(Watches, ForKindEnqueuesTheObjectsOwnKeyOnEveryEvent) {
  WatchSet set;
  set.for_kind(model::kMetalMachine);
  ASSERT_EQ(set.list().size(), 1u);
  EXPECT_EQ(set.list()[0].kind, &model::kMetalMachine);
  Recorder r;
  auto h = handlers_for(set.list()[0], r.enqueue());
  h.on_add(obj("ns", "a"));
  h.on_update(obj("ns", "a"), obj("ns", "a"));
  h.on_delete(obj("ns", "a"));
  EXPECT_EQ(r.added, (Added{{"ns/a", {}}, {"ns/a", {}}, {"ns/a", {}}}));
}

TEST(Watches, MappedUpdateEnqueuesTheKeysOfOldAndNewOnce) {
  WatchSet set;
  set.watches(model::kServerBinding, [](const Json& o) {
    return std::vector<std::string>{"ns/" + o["spec"]["ref"].get<std::string>()};
  });
  Recorder r;
  auto h = handlers_for(set.list()[0], r.enqueue());
  // The reference moved from m1 to m2: both MetalMachines hear of it.
  h.on_update(obj("", "b", "m1"), obj("", "b", "m2"));
  EXPECT_EQ(r.added, (Added{{"ns/m2", {}}, {"ns/m1", {}}}));
  r.added.clear();
  h.on_update(obj("", "b", "m2"), obj("", "b", "m2"));
  EXPECT_EQ(r.added, (Added{{"ns/m2", {}}}));
}

TEST(Watches, EventsPredicatesAndDelaysApplyToTheLastWatch) {
  WatchSet set;
  set.for_kind(model::kEnvironment)
      .on(kOnDelete)
      .watches(model::kServer, [](const Json&) { return std::vector<std::string>{"any"}; })
      .on(kOnAdd | kOnUpdate)
      .when([](const Json& a, const Json& b) { return a != b; })
      .after(std::chrono::milliseconds(500))
      .ensure("default");
  ASSERT_EQ(set.list().size(), 2u);
  EXPECT_EQ(set.start_keys(), std::vector<std::string>{"default"});

  Recorder env;
  auto e = handlers_for(set.list()[0], env.enqueue());
  EXPECT_FALSE(e.on_add);
  EXPECT_FALSE(e.on_update);
  e.on_delete(obj("", "default"));
  EXPECT_EQ(env.added, (Added{{"default", {}}}));

  Recorder cls;
  auto c = handlers_for(set.list()[1], cls.enqueue());
  EXPECT_FALSE(c.on_delete);
  const Clock::Duration later = std::chrono::milliseconds(500);
  c.on_update(obj("", "s"), obj("", "s"));  // filtered: nothing changed
  EXPECT_TRUE(cls.added.empty());
  c.on_update(obj("", "s"), obj("", "s", "x"));
  c.on_add(obj("", "t"));
  EXPECT_EQ(cls.added, (Added{{"any", later}, {"any", later}}));
}

}  // namespace
}  // namespace ferrum::reconciler
