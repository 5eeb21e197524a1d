// The string rules of k8s.io/apimachinery/pkg/util/validation/validation.go, on the cases its
// own validation_test.go uses, and the ObjectMeta rules built on them.

#include "object_meta_validation.hpp"

#include <gtest/gtest.h>

namespace ferrum::apiserver {
namespace {

using json = nlohmann::json;

TEST(ObjectMetaValidation, Dns1123Labels) {
  for (const std::string& ok : std::vector<std::string>{"a", "ab", "abc", "a1", "a-1", "a--1--2--b",
                                                        "0", "01", "1-0", std::string(63, 'a')}) {
    EXPECT_TRUE(dns1123_label_errors(ok).empty()) << ok;
  }
  for (const std::string& bad : std::vector<std::string>{"",    "A",
                                                         "ABC", "aBc",
                                                         "A1",  "A-1",
                                                         "1-A", "-",
                                                         "a-",  "-a",
                                                         "1-",  "-1",
                                                         "_",   "a_",
                                                         "_a",  "a_b",
                                                         "1_",  "_1",
                                                         "1_2", ".",
                                                         "a.",  ".a",
                                                         "a.b", "1.",
                                                         ".1",  "1.2",
                                                         " ",   "a ",
                                                         " a",  "a b",
                                                         "1 ",  " 1",
                                                         "1 2", std::string(64, 'a')}) {
    EXPECT_FALSE(dns1123_label_errors(bad).empty()) << bad;
  }
  EXPECT_EQ(dns1123_label_errors("a.b"), std::vector<std::string>{"must not contain dots"});
  EXPECT_EQ(dns1123_label_errors(std::string(64, 'a')).front(),
            "must be no more than 63 characters");
}

TEST(ObjectMetaValidation, Dns1123Subdomains) {
  for (const std::string& ok : std::vector<std::string>{"a", "ab", "a.a", "a1.a2", "1.2", "0.0.0",
                                                        "a--1.b", std::string(253, 'a')}) {
    EXPECT_TRUE(dns1123_subdomain_errors(ok).empty()) << ok;
  }
  for (const std::string& bad : std::vector<std::string>{
           "", "A", "a..b", ".a", "a.", "-a.b", "a.b-", "a_b", "a b", std::string(254, 'a')}) {
    EXPECT_FALSE(dns1123_subdomain_errors(bad).empty()) << bad;
  }
}

TEST(ObjectMetaValidation, QualifiedNames) {
  for (const std::string& ok : std::vector<std::string>{
           "simple", "now-with-dashes", "1-starts-with-num", "1234", "simple/simple",
           "now-with-dashes/simple", "now-with-dashes/now-with-dashes", "now.with.dots/simple",
           "now-with.dashes-and.dots/simple", "1-num.2-num/3-num", "1234/5678", "1.2.3.4/5678",
           "Uppercase_Is_OK_123", "example.com/Uppercase_Is_OK_123", "requests.storage-foo",
           std::string(63, 'a'), std::string(253, 'a') + "/" + std::string(63, 'b')}) {
    EXPECT_TRUE(qualified_name_errors(ok).empty()) << ok;
  }
  for (const std::string& bad : std::vector<std::string>{
           "nospecialchars%^=@", "cantendwithadash-", "-cantstartwithadash-", "only/one/slash",
           "Example.com/abc", "example_com/abc", "example.com/", "/simple", std::string(64, 'a'),
           std::string(254, 'a') + "/abc"}) {
    EXPECT_FALSE(qualified_name_errors(bad).empty()) << bad;
  }
  EXPECT_EQ(qualified_name_errors("/simple").front(), "prefix part must be non-empty");
}

TEST(ObjectMetaValidation, LabelValues) {
  for (const std::string& ok :
       std::vector<std::string>{"simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1",
                                "1234", std::string(63, 'a'), ""}) {
    EXPECT_TRUE(label_value_errors(ok).empty()) << ok;
  }
  for (const std::string& bad :
       std::vector<std::string>{"nospecialchars%^=@", "Tama-nui-te-rā.is.Māori.sun",
                                "\\backslashes\\are\\bad", "-starts-with-dash", "ends-with-dash-",
                                ".starts.with.dot", "ends.with.dot.", std::string(64, 'a')}) {
    EXPECT_FALSE(label_value_errors(bad).empty()) << bad;
  }
}

TEST(ObjectMetaValidation, ConfigMapKeys) {
  for (const std::string& ok : std::vector<std::string>{"a", "good", "good_key", "good-key",
                                                        ".dotted", "dotted.key", "KEY_NAME"}) {
    EXPECT_TRUE(config_map_key_errors(ok).empty()) << ok;
  }
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", "..bad", "bad/key",
                                                         "bad key", std::string(254, 'a')}) {
    EXPECT_FALSE(config_map_key_errors(bad).empty()) << bad;
  }
}

TEST(ObjectMetaValidation, ObjectMetaNamesEveryBadField) {
  json md = {{"name", "ok"},
             {"namespace", "default"},
             {"labels", {{"bad key", "v"}, {"good", "bad value"}}},
             {"annotations", {{"example.com/ok", "anything at all"}, {"/bad", "x"}}},
             {"finalizers", {"example.com/ok", "bad/finalizer/name"}},
             {"ownerReferences", {{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", "o"}}}}};
  std::vector<std::string> fields;
  for (const auto& e : validate_object_meta(md, true, NameRule::kDnsSubdomain))
    fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"metadata.labels", "metadata.labels",
                                              "metadata.annotations", "metadata.finalizers[1]",
                                              "metadata.ownerReferences[0].uid"}));
}

TEST(ObjectMetaValidation, NameOrGenerateNameAndNamespace) {
  auto errs = validate_object_meta(json::object(), true, NameRule::kDnsSubdomain);
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0].message(), "metadata.name: Required value: name or generateName is required");
  EXPECT_EQ(errs[1].field, "metadata.namespace");
  // A generateName may end in '-': the server appends to it.
  EXPECT_TRUE(validate_object_meta({{"name", "x-abcde"}, {"generateName", "x-"}}, false,
                                   NameRule::kDnsLabel)
                  .empty());
}

TEST(ObjectMetaValidation, UpdateKeepsIdentityAndRatchetsStoredLabels) {
  json old = {
      {"name", "a"}, {"uid", "1"}, {"creationTimestamp", "t"}, {"labels", {{"bad key", "v"}}}};
  json md = old;
  EXPECT_TRUE(validate_object_meta_update(md, old, false, NameRule::kDnsSubdomain).empty())
      << "labels stored before the rules are not re-checked while unchanged";
  md["labels"]["another"] = "ok";
  EXPECT_EQ(validate_object_meta_update(md, old, false, NameRule::kDnsSubdomain).size(), 1u);
  md = old;
  md["uid"] = "2";
  auto errs = validate_object_meta_update(md, old, false, NameRule::kDnsSubdomain);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].message(), "metadata.uid: Invalid value: \"2\": field is immutable");
}

}  // namespace
}  // namespace ferrum::apiserver
