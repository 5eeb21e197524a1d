// Kubeconfig parsing in all its forms, the in-cluster service account, the resolution order,
// and errors that name the file and the field.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "ferrum/kube/config.hpp"

using namespace ferrum::kube;
namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "kubecfg-XXXXXX").string();
    path_ = mkdtemp(t.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name, const std::string& content) const {
    auto p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
    return p.string();
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

EnvLookup env_of(std::map<std::string, std::string> m) {
  return [m](std::string_view k) -> std::optional<std::string> {
    auto it = m.find(std::string(k));
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

const char* kTokenConfig = R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
- name: other
  cluster:
    server: https://10.0.0.1
    insecure-skip-tls-verify: true
contexts:
- name: dev
  context: {cluster: local, user: admin, namespace: team}
- name: insecure
  context: {cluster: other, user: admin}
users:
- name: admin
  user:
    token: abc.def
)";

}  // namespace

TEST(Kubeconfig, TokenAndCaData) {
  auto c = parse_kubeconfig(kTokenConfig, "/x/config");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->server, "https://127.0.0.1:6443");  // trailing slash dropped
  EXPECT_EQ(c->ca_pem, "-----BEGIN CERTIFICATE-----\n");
  EXPECT_EQ(c->token, "abc.def");
  EXPECT_EQ(c->default_namespace, "team");
  EXPECT_FALSE(c->insecure_skip_tls_verify);
  EXPECT_EQ(c->source, "kubeconfig /x/config (context dev)");
}

TEST(Kubeconfig, ContextOverrideAndInsecure) {
  auto c = parse_kubeconfig(kTokenConfig, "/x/config", "insecure");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->server, "https://10.0.0.1");
  EXPECT_TRUE(c->insecure_skip_tls_verify);
  EXPECT_TRUE(c->ca_pem.empty());
}

TEST(Kubeconfig, FilesRelativeToTheKubeconfigDirectory) {
  TempDir d;
  d.file("pki/ca.crt", "CA-PEM");
  d.file("pki/client.crt", "CERT-PEM");
  d.file("pki/client.key", "KEY-PEM");
  d.file("token", "tok-from-file\n");
  std::string cfg = d.file("config", R"(
current-context: c
clusters: [{name: k, cluster: {server: "https://h:1", certificate-authority: pki/ca.crt, tls-server-name: api.local}}]
users:
- {name: cert, user: {client-certificate: pki/client.crt, client-key: pki/client.key}}
- {name: tf, user: {tokenFile: token}}
contexts: [{name: c, context: {cluster: k, user: cert}}, {name: t, context: {cluster: k, user: tf}}]
)");
  auto c = load_kubeconfig(cfg);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->ca_pem, "CA-PEM");
  EXPECT_EQ(c->client_cert_pem, "CERT-PEM");
  EXPECT_EQ(c->client_key_pem, "KEY-PEM");
  EXPECT_EQ(c->tls_server_name, "api.local");
  auto t = load_kubeconfig(cfg, "t");
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->token, "tok-from-file");
  EXPECT_EQ(t->token_file, d.str() + "/token");
}

TEST(Kubeconfig, ClientCertificateData) {
  std::string cfg = R"(
current-context: c
clusters: [{name: k, cluster: {server: "https://h:1"}}]
users: [{name: u, user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
)";
  auto c = parse_kubeconfig(cfg, "/k");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->client_cert_pem, "CERT");
  EXPECT_EQ(c->client_key_pem, "KEY");
  EXPECT_TRUE(c->token.empty());
}

TEST(Kubeconfig, ErrorsNameFileAndField) {
  struct Row {
    std::string yaml;
    std::string expect;
  } rows[] = {
      {"clusters: []", "kubeconfig /cfg: current-context: not set"},
      {"current-context: nope\ncontexts: []",
       "kubeconfig /cfg: contexts: no context named \"nope\""},
      {"current-context: c\ncontexts: [{name: c, context: {user: u}}]",
       "contexts[c].context.cluster: missing"},
      {"current-context: c\ncontexts: [{name: c, context: {cluster: k}}]",
       "clusters: no cluster named \"k\""},
      {"current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, "
       "cluster: {}}]",
       "kubeconfig /cfg: clusters[k].cluster.server: missing"},
      {"current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, "
       "cluster: {server: ftp://x}}]",
       "clusters[k].cluster.server: \"ftp://x\" is not an http(s) URL"},
      {"current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, "
       "cluster: {server: "
       "https://x, certificate-authority-data: '!!notbase64'}}]",
       "kubeconfig /cfg: clusters[k].cluster.certificate-authority-data: not valid base64"},
      {"current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, "
       "cluster: {server: "
       "https://x, insecure-skip-tls-verify: maybe}}]",
       "clusters[k].cluster.insecure-skip-tls-verify: not a boolean"},
      {"current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: "
       "[{name: k, cluster: "
       "{server: https://x}}]\nusers: [{name: u, user: {exec: {command: aws}}}]",
       "users[u].user.exec: not supported"},
      {"current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: "
       "[{name: k, cluster: "
       "{server: https://x}}]\nusers: [{name: u, user: {client-key-data: S0VZ}}]",
       "users[u].user: client-key without client-certificate"},
      {"current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: "
       "[{name: k, cluster: "
       "{server: https://x}}]\nusers: [{name: u, user: {client-certificate: /nonexistent/c.crt, "
       "client-key-data: S0VZ}}]",
       "users[u].user.client-certificate: /nonexistent/c.crt: cannot read"},
      {"current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: "
       "[{name: k, cluster: "
       "{server: https://x}}]\nusers: [{name: u, user: {tokenFile: /nonexistent/t}}]",
       "users[u].user.tokenFile: /nonexistent/t: cannot read"},
      {"current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: "
       "[{name: k, cluster: "
       "{server: https://x}}]",
       "users: no user named \"u\""},
      {"a: [unclosed", "kubeconfig /cfg: line "},
      {"- just\n- a list", "kubeconfig /cfg: not a YAML mapping"},
  };
  for (const auto& r : rows) {
    auto c = parse_kubeconfig(r.yaml, "/cfg");
    ASSERT_FALSE(c) << r.yaml;
    EXPECT_NE(c.error().find(r.expect), std::string::npos)
        << "got: " << c.error() << "\nwant: " << r.expect;
    EXPECT_EQ(c.error().rfind("kubeconfig /cfg: ", 0), 0u) << c.error();
  }
}

TEST(Kubeconfig, MissingFileNamesIt) {
  auto c = load_kubeconfig("/nonexistent/kubeconfig");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().find("kubeconfig /nonexistent/kubeconfig: cannot read"), std::string::npos)
      << c.error();
}

TEST(Kubeconfig, MergesAColonSeparatedListFirstWins) {
  TempDir d;
  std::string a =
      d.file("a",
             "current-context: one\ncontexts: [{name: one, context: {cluster: k, user: u}}]\n"
             "users: [{name: u, user: {token: from-a}}]\n");
  std::string b =
      d.file("b",
             "current-context: two\nclusters: [{name: k, cluster: {server: https://b}}]\n"
             "users: [{name: u, user: {token: from-b}}]\n");
  auto c = load_kubeconfig(a + ":" + d.str() + "/missing:" + b);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->server, "https://b");
  EXPECT_EQ(c->token, "from-a");
}

TEST(InCluster, ReadsServiceAccount) {
  TempDir d;
  d.file("sa/token", "sa-token\n");
  d.file("sa/ca.crt", "SA-CA");
  d.file("sa/namespace", "ferrum-system");
  auto c = in_cluster_config(
      env_of({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}}),
      d.str() + "/sa");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->server, "https://10.96.0.1:443");
  EXPECT_EQ(c->token, "sa-token");
  EXPECT_EQ(c->token_file, d.str() + "/sa/token");
  EXPECT_EQ(c->ca_pem, "SA-CA");
  EXPECT_EQ(c->default_namespace, "ferrum-system");

  auto v6 = in_cluster_config(
      env_of({{"KUBERNETES_SERVICE_HOST", "fd00::1"}, {"KUBERNETES_SERVICE_PORT", "6443"}}),
      d.str() + "/sa");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->server, "https://[fd00::1]:6443");
}

TEST(InCluster, MissingTokenIsNamed) {
  TempDir d;
  auto c = in_cluster_config(
      env_of({{"KUBERNETES_SERVICE_HOST", "h"}, {"KUBERNETES_SERVICE_PORT", "1"}}), d.str());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().find(d.str() + "/token"), std::string::npos) << c.error();
}

TEST(ResolveConfig, OrderExplicitThenInClusterThenKubeconfigEnv) {
  TempDir d;
  d.file("sa/token", "sa");
  d.file("sa/ca.crt", "CA");
  std::string explicit_cfg =
      d.file("explicit",
             "current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\n"
             "clusters: [{name: k, cluster: {server: https://explicit}}]\n");
  std::string env_cfg = d.file("env",
                               "current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\n"
                               "clusters: [{name: k, cluster: {server: https://from-env}}]\n");
  auto pod = env_of({{"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                     {"KUBERNETES_SERVICE_PORT", "443"},
                     {"KUBECONFIG", env_cfg}});
  auto r1 = resolve_config(explicit_cfg, pod, d.str() + "/sa");
  ASSERT_TRUE(r1) << r1.error();
  EXPECT_EQ(r1->server, "https://explicit");
  auto r2 = resolve_config("", pod, d.str() + "/sa");
  ASSERT_TRUE(r2) << r2.error();
  EXPECT_EQ(r2->server, "https://10.0.0.1:443");
  auto r3 = resolve_config("", env_of({{"KUBECONFIG", env_cfg}}), d.str() + "/sa");
  ASSERT_TRUE(r3) << r3.error();
  EXPECT_EQ(r3->server, "https://from-env");
  auto r4 = resolve_config("", env_of({}), d.str() + "/sa");
  ASSERT_FALSE(r4);
  EXPECT_NE(r4.error().find("--kubeconfig"), std::string::npos);
  EXPECT_NE(r4.error().find("KUBECONFIG"), std::string::npos);
}

TEST(Base64, RoundTripAndRejects) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)})
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  EXPECT_EQ(base64_decode("YWJj\nZA=="), "abcd");
  EXPECT_EQ(base64_decode("YWJjZA"), "abcd");  // unpadded
  EXPECT_FALSE(base64_decode("YW*j"));
  EXPECT_FALSE(base64_decode("YQ==YQ=="));
  EXPECT_FALSE(base64_decode("Y"));
}

TEST(Kubeconfig, UnquotedNumericScalarsStayStrings) {
  auto c = parse_kubeconfig(
      "current-context: 1\ncontexts: [{name: 1, context: {cluster: 2, user: 3}}]\n"
      "clusters: [{name: 2, cluster: {server: \"https://h\"}}]\n"
      "users: [{name: 3, user: {token: 12345}}]\n",
      "/n");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->token, "12345");
}
