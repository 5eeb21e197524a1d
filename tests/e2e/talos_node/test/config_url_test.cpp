// Vectors from siderolabs/talos v1.8
// internal/app/machined/pkg/runtime/v1alpha1/platform/metal/url/url_test.go (TestPopulate) and
// variable_test.go (TestVariableMatches, TestVariableReplace), plus Ferrum's own URL.
#include "config_url.hpp"

#include <gtest/gtest.h>

namespace ferrum::talos_node {
namespace {

struct Case {
  const char* name;
  const char* url;
  UrlValues values;
  const char* expected;
};

UrlValues all() {
  UrlValues v;
  v.uuid = "0000-0000";
  v.serial = "12345";
  v.mac = "12:34:56:78:90:ab";
  v.hostname = "example-node";
  v.code = "top-secret";
  return v;
}

class PopulateTest : public ::testing::TestWithParam<Case> {};

TEST_P(PopulateTest, FillsLikeTalos) {
  EXPECT_EQ(populate_config_url(GetParam().url, GetParam().values), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Talos, PopulateTest,
    ::testing::Values(
        // url_test.go
        Case{"no_variables", "https://example.com?foo=bar", all(), "https://example.com?foo=bar"},
        Case{"legacy_uuid", "https://example.com?uuid=", all(),
             "https://example.com?uuid=0000-0000"},
        Case{"sys_info", "https://example.com?uuid=${uuid}&no=${serial}", all(),
             "https://example.com?no=12345&uuid=0000-0000"},
        Case{"multiple_variables",
             "https://example.com?uuid=${uuid}&mac=${mac}&hostname=${hostname}&code=${code}", all(),
             "https://"
             "example.com?code=top-secret&hostname=example-node&mac=12%3A34%3A56%3A78%3A90%3Aab"
             "&uuid=0000-0000"},
        // variable_test.go: a static uuid is no variable; case-insensitive names
        Case{"uuid_static", "https://example.com?uuid=0000-0000&foo=bar", all(),
             "https://example.com?uuid=0000-0000&foo=bar"},
        Case{"case_insensitive", "https://example.com?uuid=${UUId}&foo=bar&serial=${SeRiaL}", all(),
             "https://example.com?foo=bar&serial=12345&uuid=0000-0000"},
        Case{"legacy_with_other", "https://example.com?uuid=&foo=bar", all(),
             "https://example.com?foo=bar&uuid=0000-0000"},
        Case{"repeated_values",
             "https://example.com?a=${uuid}-suffix&foo=bar&b=${serial}&b=xyz&b=${serial}", all(),
             "https://example.com?a=0000-0000-suffix&b=12345&b=xyz&b=12345&foo=bar"},
        // what ferrum-ipxe-http puts in talos.config= (kernel_args.cpp)
        Case{"ferrum_metadata", "http://10.77.0.1:9091/configdata?uuid=", all(),
             "http://10.77.0.1:9091/configdata?uuid=0000-0000"},
        Case{"no_query", "http://10.77.0.1:9091/configdata", all(),
             "http://10.77.0.1:9091/configdata"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(PopulateTest, UnknownValueIsLeftInPlace) {
  UrlValues v;
  v.uuid = "u";
  EXPECT_EQ(populate_config_url("http://x/c?uuid=${uuid}&h=${hostname}", v),
            "http://x/c?h=%24%7Bhostname%7D&uuid=u");
}

}  // namespace
}  // namespace ferrum::talos_node
