#include "ferrum/siderolink_secret.hpp"

#include <gtest/gtest.h>

#include "ferrum/model/secret.hpp"

namespace ferrum::siderolink {
namespace {

TEST(SideroLinkSecret, ParseSecretNameTable) {
  struct Case {
    const char* in;
    bool ok;
  };
  for (const Case& c :
       {Case{"ferrum-system/siderolink", true}, Case{"a/b", true}, Case{"", false},
        Case{"noslash", false}, Case{"/b", false}, Case{"a/", false}, Case{"a/b/c", false}}) {
    SCOPED_TRACE(c.in);
    auto n = parse_secret_name(c.in);
    EXPECT_EQ(n.has_value(), c.ok);
    if (!c.ok) {
      EXPECT_NE(n.error().find("<namespace>/<name>"), std::string::npos);
    }
  }
  auto n = parse_secret_name(kDefaultInstallationSecret);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->ns, "ferrum-system");
  EXPECT_EQ(n->name, "siderolink");
  EXPECT_EQ(n->key(), "ferrum-system/siderolink");
  auto w = installation_secret_watch(*n);
  EXPECT_EQ(w.ns, "ferrum-system");
  EXPECT_EQ(w.field_selector, "metadata.name=siderolink");
}

kube::ObjectPtr secret(const std::string& id, const std::string& rv, bool with_id = true) {
  auto s = model::Secret::make("ferrum-system", "siderolink");
  if (with_id) s.set_value(kInstallationIdKey, id);
  s.set_value(kPrivateKeyKey, "k");
  s.raw()["metadata"]["uid"] = "u1";
  s.raw()["metadata"]["resourceVersion"] = rv;
  return std::make_shared<const kube::Json>(s.raw());
}

TEST(SideroLinkSecret, ServerAddressOfTheSecret) {
  // The same address ferrum-metadata's documents carry for installation-id "abc"
  // (tests/unit/metadata/configdata_service_test.cpp) and ferrum-linkd listens on.
  auto a = server_address_of(*secret("abc", "1"));
  ASSERT_TRUE(a.has_value()) << a.error();
  EXPECT_EQ(*a, "fd03:61a3:9617:7a03::1");
  EXPECT_NE(server_address_of(*secret("", "1")).error().find("empty"), std::string::npos);
  EXPECT_NE(server_address_of(*secret("", "1", false)).error().find("no installation-id"),
            std::string::npos);
}

TEST(SideroLinkSecret, InstallationAddressFollowsTheStore) {
  kube::ObjectStore store;
  InstallationAddress addr(&store, {"ferrum-system", "siderolink"});
  auto none = addr.current();
  EXPECT_EQ(none.address, "");
  EXPECT_NE(none.why_not.find("not found"), std::string::npos);
  store.upsert("ferrum-system/siderolink", secret("abc", "5"));
  auto one = addr.current();
  EXPECT_EQ(one.address, "fd03:61a3:9617:7a03::1");
  EXPECT_EQ(one.identity, "u1@5");
  EXPECT_EQ(addr.current().address, one.address) << "derived once, reused";
  store.upsert("ferrum-system/siderolink", secret("another", "6"));
  EXPECT_NE(addr.current().address, one.address);
  store.upsert("ferrum-system/siderolink", secret("", "7", false));
  EXPECT_EQ(addr.current().address, "");
  EXPECT_NE(addr.current().why_not.find("no installation-id"), std::string::npos);
  InstallationAddress unwatched(nullptr, {"a", "b"});
  EXPECT_EQ(unwatched.current().address, "");
  EXPECT_EQ(unwatched.secret(), nullptr);
}

}  // namespace
}  // namespace ferrum::siderolink
