#include <gtest/gtest.h>

#include "ferrum/model/label_selector.hpp"

namespace ferrum::model {
namespace {

const Labels kLabels{{"env", "prod"}, {"tier", "db"}, {"gpu", ""}, {"cores", "16"}};

TEST(ModelLabelSelector, StringFormTable) {
  struct Case {
    const char* selector;
    bool matches;
  };
  const Case cases[] = {
      {"", true},
      {"   ", true},
      {"env=prod", true},
      {"env==prod", true},
      {"env = prod", true},
      {"env=dev", false},
      {"env!=dev", true},
      {"env!=prod", false},
      {"missing!=x", true},  // != matches objects without the key
      {"env in (dev,prod)", true},
      {"env in (dev, staging)", false},
      {"env notin (dev,staging)", true},
      {"env notin (prod)", false},
      {"missing notin (x)", true},
      {"env", true},
      {"missing", false},
      {"!missing", true},
      {"!env", false},
      {"gpu=", true},  // empty value
      {"gpu in (,x)", true},
      {"env=prod,tier=db", true},
      {"env=prod,tier=web", false},
      {"env=prod , tier in (db) , !missing , gpu", true},
      {"cores>8", true},
      {"cores>16", false},
      {"cores<17", true},
      {"env>1", false},  // not an integer: no match
      {"example.com/role=x", false},
  };
  for (const auto& c : cases) {
    auto sel = LabelSelector::parse(c.selector);
    ASSERT_TRUE(sel.has_value()) << c.selector << ": " << sel.error();
    EXPECT_EQ(sel->matches(kLabels), c.matches) << c.selector;
  }
}

TEST(ModelLabelSelector, StringFormErrorsNamePosition) {
  struct Case {
    const char* selector;
    const char* want;
  };
  const Case cases[] = {
      {"env=prod,", "position 9: expected a label key"},
      {",env", "position 0: expected a label key"},
      {"env prod", "position 4: expected an operator"},
      {"env in prod", "position 7: expected '('"},
      {"env in ()", "position 7: values set must not be empty"},
      {"env in (a b)", "position 10: expected a value, ',' or ')'"},
      {"env in (a", "position 9: expected a value, ',' or ')', found end of input"},
      {"env=prod)", "position 8: expected ',' or end"},
      {"env=(", "position 4: expected a value"},
      {"!", "position 1: expected a label key after '!'"},
      {"!env=x", "position 4: expected ',' or end"},
      {"-bad=x", "position 0: invalid key \"-bad\""},
      {"a/b/c=x", "position 0: invalid key"},
      {"Example.com/x=y", "position 0: invalid key"},
      {"env=bad value", "position 8: expected ',' or end"},
      {"env=-x", "position 0: invalid value \"-x\""},
      {"cores>x", "position 0: a single integer value"},
      {"ok=1,  env in (a, -b)", "position 7: invalid value \"-b\""},
  };
  for (const auto& c : cases) {
    auto sel = LabelSelector::parse(c.selector);
    ASSERT_FALSE(sel.has_value()) << c.selector;
    EXPECT_NE(sel.error().find(c.want), std::string::npos)
        << c.selector << " -> " << sel.error() << " (want " << c.want << ")";
  }
}

TEST(ModelLabelSelector, StructFormTable) {
  struct Case {
    const char* selector;
    bool matches;
  };
  const Case cases[] = {
      {R"({})", true},
      {R"(null)", true},
      {R"({"matchLabels": {}})", true},
      {R"({"matchLabels": {"env": "prod"}})", true},
      {R"({"matchLabels": {"env": "prod", "tier": "web"}})", false},
      {R"({"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}]})",
       true},
      {R"({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]})", false},
      {R"({"matchExpressions": [{"key": "nope", "operator": "NotIn", "values": ["prod"]}]})", true},
      {R"({"matchExpressions": [{"key": "gpu", "operator": "Exists"}]})", true},
      {R"({"matchExpressions": [{"key": "gpu", "operator": "DoesNotExist", "values": []}]})",
       false},
      {R"({"matchLabels": {"env": "prod"},
           "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]})",
       false},
  };
  for (const auto& c : cases) {
    auto sel = LabelSelector::from_json(json::parse(c.selector));
    ASSERT_TRUE(sel.has_value()) << c.selector << ": " << sel.error();
    EXPECT_EQ(sel->matches(kLabels), c.matches) << c.selector;
  }
}

TEST(ModelLabelSelector, StructFormErrorsNameField) {
  struct Case {
    const char* selector;
    const char* want;
  };
  const Case cases[] = {
      {R"("x")", "spec.selector: must be an object"},
      {R"({"matchLabels": []})", "spec.selector.matchLabels: must be an object"},
      {R"({"matchLabels": {"env": 1}})", "spec.selector.matchLabels[\"env\"]: value must be"},
      {R"({"matchLabels": {"bad key": "x"}})",
       "spec.selector.matchLabels[\"bad key\"]: invalid key"},
      {R"({"matchLabels": {"k": "bad value"}})", "matchLabels[\"k\"]: invalid value"},
      {R"({"matchExpressions": {}})", "spec.selector.matchExpressions: must be a list"},
      {R"({"matchExpressions": [1]})", "spec.selector.matchExpressions[0]: must be an object"},
      {R"({"matchExpressions": [{"operator": "In", "values": ["a"]}]})",
       "spec.selector.matchExpressions[0].key: required"},
      {R"({"matchExpressions": [{"key": "a", "operator": "In", "values": ["a"]},
                                {"key": "b", "operator": "Gt", "values": ["1"]}]})",
       "spec.selector.matchExpressions[1].operator: unsupported operator \"Gt\""},
      {R"({"matchExpressions": [{"key": "a"}]})", "matchExpressions[0].operator: required"},
      {R"({"matchExpressions": [{"key": "a", "operator": "In"}]})",
       "matchExpressions[0].values: values must be non-empty"},
      {R"({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": []}]})",
       "matchExpressions[0].values: values must be non-empty"},
      {R"({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]})",
       "matchExpressions[0].values: values must be empty"},
      {R"({"matchExpressions": [{"key": "a", "operator": "In", "values": [1]}]})",
       "matchExpressions[0].values: must be a list of strings"},
      {R"({"matchExpressions": [{"key": "-a", "operator": "Exists"}]})",
       "matchExpressions[0].key: invalid key"},
  };
  for (const auto& c : cases) {
    auto sel = LabelSelector::from_json(json::parse(c.selector), "spec.selector");
    ASSERT_FALSE(sel.has_value()) << c.selector;
    EXPECT_NE(sel.error().find(c.want), std::string::npos)
        << c.selector << " -> " << sel.error() << " (want " << c.want << ")";
  }
}

TEST(ModelLabelSelector, EverythingAndNothing) {
  LabelSelector all;
  EXPECT_TRUE(all.matches_everything());
  EXPECT_TRUE(all.matches({}));
  LabelSelector none = LabelSelector::nothing();
  EXPECT_FALSE(none.matches_everything());
  EXPECT_FALSE(none.matches({}));
  EXPECT_FALSE(none.matches(kLabels));
}

TEST(ModelLabelSelector, CanonicalStringReparsesToSameRequirements) {
  auto sel = LabelSelector::from_json(json::parse(R"({"matchLabels": {"b": "2", "a": "1"},
    "matchExpressions": [{"key": "c", "operator": "NotIn", "values": ["z", "y"]},
                         {"key": "d", "operator": "DoesNotExist"},
                         {"key": "e", "operator": "Exists"}]})"));
  ASSERT_TRUE(sel.has_value());
  EXPECT_EQ(sel->to_string(), "a=1,b=2,c notin (y,z),!d,e");
  auto again = LabelSelector::parse(sel->to_string());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->to_string(), sel->to_string());
  auto parsed = LabelSelector::parse("x==1,y!=2,z>3,w<4");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->to_string(), "x=1,y!=2,z>3,w<4");
}

TEST(ModelLabelSelector, KeyAndValueRules) {
  EXPECT_FALSE(label_key_error("app"));
  EXPECT_FALSE(label_key_error("cluster.x-k8s.io/cluster-name"));
  EXPECT_FALSE(label_key_error("A_b.c-D"));
  EXPECT_TRUE(label_key_error(""));
  EXPECT_TRUE(label_key_error("/x"));
  EXPECT_TRUE(label_key_error("x/"));
  EXPECT_TRUE(label_key_error("Upper.io/x"));
  EXPECT_TRUE(label_key_error(std::string(64, 'a')));
  EXPECT_FALSE(label_key_error(std::string(63, 'a')));
  EXPECT_FALSE(label_value_error(""));
  EXPECT_FALSE(label_value_error("v1.2_3-x"));
  EXPECT_TRUE(label_value_error("a b"));
  EXPECT_TRUE(label_value_error("x-"));
  EXPECT_TRUE(label_value_error(std::string(64, 'v')));
}

}  // namespace
}  // namespace ferrum::model
