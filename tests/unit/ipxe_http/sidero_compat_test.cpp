#include "sidero_compat.hpp"

#include <gtest/gtest.h>

namespace ferrum::ipxe {
namespace {

// Sidero served /configdata on 8081 (app/sidero-controller-manager/internal/metadata/
// metadata_server.go, mux.HandleFunc("/configdata")); Ferrum's ipxe-http sends nodes on.
TEST(SideroCompat, ConfigdataRedirectTable) {
  struct Case {
    const char* endpoint;
    const char* query;
    std::optional<std::string> want;
  };
  const Case cases[] = {
      {"10.0.0.1:9091", "uuid=", "http://10.0.0.1:9091/configdata?uuid="},
      {"10.0.0.1:9091", "uuid=4c4c4544-0042-3410-8052-b2c04f384d32",
       "http://10.0.0.1:9091/configdata?uuid=4c4c4544-0042-3410-8052-b2c04f384d32"},
      // Talos' re-encoded form (url.Values.Encode: sorted keys, ':' as %3A) is kept byte for byte.
      {"10.0.0.1:9091", "hostname=n1&mac=52%3A54%3A00%3A12%3A34%3A56&serial=S+1&uuid=ABC",
       "http://10.0.0.1:9091/configdata?hostname=n1&mac=52%3A54%3A00%3A12%3A34%3A56&serial=S+1&"
       "uuid=ABC"},
      {"[fd00::9]:9091", "uuid=a", "http://[fd00::9]:9091/configdata?uuid=a"},
      {"meta.example:80", "", "http://meta.example:80/configdata"},
      // Bad parameters are ferrum-metadata's to judge (it answers the 400).
      {"m:1", "uuid=a&uuid=b", "http://m:1/configdata?uuid=a&uuid=b"},
      {"m:1", "uuid=%ff", "http://m:1/configdata?uuid=%ff"},
      // What a Location header cannot carry.
      {"m:1", "uuid=a b", std::nullopt},
      {"m:1", "uuid=a\r\nX: y", std::nullopt},
      {"m:1", "uuid=\xc3\xa9", std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.query);
    EXPECT_EQ(configdata_redirect(c.endpoint, c.query), c.want);
  }
}

// Talos reads siderolink.api with internal/pkg/endpoint/endpoint.go: no scheme means grpc://,
// the query carries jointoken and grpc_tunnel. Sidero's own value was <api-endpoint>:<api-port>
// (appendTalosArguments in internal/ipxe/ipxe_server.go).
TEST(SideroCompat, SideroLinkApiRewriteTable) {
  struct Case {
    const char* value;
    const char* api_host;
    std::optional<std::string> want;
  };
  const Case cases[] = {
      {"10.5.0.2:8081", "10.5.0.2", "10.5.0.9:50110"},
      {"grpc://10.5.0.2:8081", "10.5.0.2", "grpc://10.5.0.9:50110"},
      {"GRPC://10.5.0.2:8081", "10.5.0.2", "GRPC://10.5.0.9:50110"},
      {"10.5.0.2:8081?jointoken=abc", "10.5.0.2", "10.5.0.9:50110?jointoken=abc"},
      {"grpc://10.5.0.2:8081?jointoken=x&grpc_tunnel=true", "10.5.0.2",
       "grpc://10.5.0.9:50110?jointoken=x&grpc_tunnel=true"},
      {"sidero.Example.com:8081", "sidero.example.com", "10.5.0.9:50110"},
      {"[fd00::2]:8081", "fd00::2", "10.5.0.9:50110"},
      {"[fd00::2]:8081", "[fd00::2]", "10.5.0.9:50110"},
      // Not Sidero's combined port on this host: kept.
      {"10.5.0.2:50110", "10.5.0.2", std::nullopt},
      {"10.5.0.3:8081", "10.5.0.2", std::nullopt},
      {"other.example:8081", "sidero.example.com", std::nullopt},
      {"10.5.0.2", "10.5.0.2", std::nullopt},
      // TLS never ran on Sidero's 8081; an https:// value is someone else's endpoint.
      {"https://10.5.0.2:8081", "10.5.0.2", std::nullopt},
      {"user@10.5.0.2:8081", "10.5.0.2", std::nullopt},
      {"", "10.5.0.2", std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.value);
    EXPECT_EQ(rewrite_sidero_link_api(c.value, c.api_host, 8081, "10.5.0.9:50110"), c.want);
  }
}

}  // namespace
}  // namespace ferrum::ipxe
