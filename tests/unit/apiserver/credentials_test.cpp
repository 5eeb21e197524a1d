#include "credentials.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace ferrum::apiserver {
namespace {

namespace fs = std::filesystem;

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ferrum-cred-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/data";  // created by ensure_credentials
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string read(const std::string& name) const {
    std::ifstream in(dir_ + "/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  unsigned mode(const std::string& path) const {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 0777;
  }

  std::string root_;
  std::string dir_;
};

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};
using CertPtr = std::unique_ptr<X509, X509Free>;

CertPtr cert_from(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  CertPtr c(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return c;
}

std::unique_ptr<EVP_PKEY, X509Free> key_from(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  std::unique_ptr<EVP_PKEY, X509Free> k(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return k;
}

// X509_verify_cert with only the CA trusted: what a client given ca.crt does.
int verify(const std::string& ca_pem, const std::string& cert_pem, std::string* why = nullptr) {
  auto ca = cert_from(ca_pem);
  auto cert = cert_from(cert_pem);
  if (!ca || !cert) return -1;
  std::unique_ptr<X509_STORE, X509Free> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca.get());
  std::unique_ptr<X509_STORE_CTX, X509Free> ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  int rc = X509_verify_cert(ctx.get());
  if (why) *why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
  return rc;
}

bool has_host(const std::string& cert_pem, const std::string& host) {
  auto cert = cert_from(cert_pem);
  if (X509_check_ip_asc(cert.get(), host.c_str(), 0) == 1) return true;
  return X509_check_host(cert.get(), host.c_str(), host.size(), 0, nullptr) == 1;
}

int days_left(const std::string& cert_pem) {
  auto cert = cert_from(cert_pem);
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(cert.get()));
  return days;
}

TEST_F(CredentialsTest, GeneratesCaServingCertAndTokenWithModes) {
  auto c = ensure_credentials(dir_, {"ferrum.example", "10.1.2.3", "[fd00::7]"});
  ASSERT_TRUE(c.has_value()) << c.error();
  for (const char* f : {"ca.crt", "ca.key", "tls.crt", "tls.key", "token"}) {
    EXPECT_TRUE(fs::exists(dir_ + "/" + f)) << f;
  }
  EXPECT_EQ(mode(dir_ + "/ca.key"), 0600u);
  EXPECT_EQ(mode(dir_ + "/tls.key"), 0600u);
  EXPECT_EQ(mode(dir_ + "/token"), 0600u);
  EXPECT_EQ(mode(dir_ + "/ca.crt"), 0644u);
  EXPECT_EQ(mode(dir_ + "/tls.crt"), 0644u);
  EXPECT_EQ(mode(dir_), 0700u);
  // No temporary files left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 5);

  EXPECT_EQ(c->ca_pem, read("ca.crt"));
  EXPECT_EQ(c->cert_pem, read("tls.crt"));
  EXPECT_EQ(c->key_pem, read("tls.key"));
  EXPECT_EQ(c->token + "\n", read("token"));
  EXPECT_EQ(c->token.size(), 64u);
  EXPECT_EQ(c->token.find_first_not_of("0123456789abcdef"), std::string::npos);

  std::string why;
  EXPECT_EQ(verify(c->ca_pem, c->cert_pem, &why), 1) << why;
  for (const char* h : {"localhost", "127.0.0.1", "::1", "ferrum.example", "10.1.2.3", "fd00::7"}) {
    EXPECT_TRUE(has_host(c->cert_pem, h)) << h;
  }
  EXPECT_FALSE(has_host(c->cert_pem, "other.example"));
  EXPECT_FALSE(has_host(c->cert_pem, "10.1.2.4"));

  auto ca = cert_from(c->ca_pem);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_check_ca(cert_from(c->cert_pem).get()), 0);
  EXPECT_NEAR(days_left(c->ca_pem), 3650, 1);
  EXPECT_GT(days_left(c->cert_pem), 365);

  // EC P-256 keys, and each key belongs to its certificate.
  auto key = key_from(c->key_pem);
  ASSERT_TRUE(key);
  EXPECT_EQ(EVP_PKEY_get_base_id(key.get()), EVP_PKEY_EC);
  char group[64] = {};
  size_t len = 0;
  EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &len);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_check_private_key(cert_from(c->cert_pem).get(), key.get()), 1);
  EXPECT_EQ(X509_check_private_key(ca.get(), key_from(read("ca.key")).get()), 1);
}

TEST_F(CredentialsTest, OpensslCliVerifiesTheChain) {
  if (!fs::exists("/usr/bin/openssl")) GTEST_SKIP() << "no openssl binary";
  auto c = ensure_credentials(dir_, {"ferrum.example"});
  ASSERT_TRUE(c.has_value()) << c.error();
  std::string cmd = "/usr/bin/openssl verify -purpose sslserver -CAfile '" + dir_ + "/ca.crt' '" +
                    dir_ + "/tls.crt' 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[256];
  while (std::fgets(buf, sizeof(buf), p)) output += buf;
  int rc = ::pclose(p);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_NE(output.find(": OK"), std::string::npos) << output;
}

TEST_F(CredentialsTest, SecondCallReusesEverything) {
  auto first = ensure_credentials(dir_, {"ferrum.example"});
  ASSERT_TRUE(first.has_value()) << first.error();
  auto before = std::vector<std::string>{read("ca.crt"), read("ca.key"), read("tls.crt"),
                                         read("tls.key"), read("token")};
  auto second = ensure_credentials(dir_, {"ferrum.example"});
  ASSERT_TRUE(second.has_value()) << second.error();
  EXPECT_EQ(second->ca_pem, first->ca_pem);
  EXPECT_EQ(second->cert_pem, first->cert_pem);
  EXPECT_EQ(second->key_pem, first->key_pem);
  EXPECT_EQ(second->token, first->token);
  // Fewer hosts (a subset) still reuses the certificate.
  auto third = ensure_credentials(dir_, {});
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->cert_pem, first->cert_pem);
  auto after = std::vector<std::string>{read("ca.crt"), read("ca.key"), read("tls.crt"),
                                        read("tls.key"), read("token")};
  EXPECT_EQ(after, before);
}

TEST_F(CredentialsTest, NewHostReissuesServingCertFromTheSameCa) {
  auto first = ensure_credentials(dir_, {"ferrum.example"});
  ASSERT_TRUE(first.has_value()) << first.error();
  const std::string ca_key = read("ca.key");
  auto second = ensure_credentials(dir_, {"ferrum.example", "192.0.2.10"});
  ASSERT_TRUE(second.has_value()) << second.error();
  EXPECT_EQ(second->ca_pem, first->ca_pem);
  EXPECT_EQ(read("ca.key"), ca_key);
  EXPECT_EQ(second->token, first->token);
  EXPECT_NE(second->cert_pem, first->cert_pem);
  EXPECT_EQ(second->cert_pem, read("tls.crt"));
  EXPECT_TRUE(has_host(second->cert_pem, "192.0.2.10"));
  EXPECT_TRUE(has_host(second->cert_pem, "ferrum.example"));
  EXPECT_FALSE(has_host(first->cert_pem, "192.0.2.10"));
  EXPECT_EQ(verify(first->ca_pem, second->cert_pem), 1);
}

TEST_F(CredentialsTest, RegeneratesWhatIsMissing) {
  auto first = ensure_credentials(dir_, {});
  ASSERT_TRUE(first.has_value()) << first.error();
  fs::remove(dir_ + "/tls.key");
  fs::remove(dir_ + "/token");
  auto second = ensure_credentials(dir_, {});
  ASSERT_TRUE(second.has_value()) << second.error();
  EXPECT_EQ(second->ca_pem, first->ca_pem);
  EXPECT_NE(second->cert_pem, first->cert_pem);
  EXPECT_NE(second->token, first->token);
  EXPECT_EQ(verify(second->ca_pem, second->cert_pem), 1);
  EXPECT_EQ(
      X509_check_private_key(cert_from(second->cert_pem).get(), key_from(read("tls.key")).get()),
      1);

  // A serving certificate from another CA is replaced.
  std::string other = root_ + "/other";
  ASSERT_TRUE(ensure_credentials(other, {}).has_value());
  fs::copy_file(other + "/tls.crt", dir_ + "/tls.crt", fs::copy_options::overwrite_existing);
  fs::copy_file(other + "/tls.key", dir_ + "/tls.key", fs::copy_options::overwrite_existing);
  auto third = ensure_credentials(dir_, {});
  ASSERT_TRUE(third.has_value()) << third.error();
  EXPECT_EQ(verify(first->ca_pem, third->cert_pem), 1);
}

TEST_F(CredentialsTest, DamagedCaIsAnErrorNamingTheFile) {
  ASSERT_TRUE(ensure_credentials(dir_, {}).has_value());
  std::ofstream(dir_ + "/ca.crt") << "not a certificate";
  auto c = ensure_credentials(dir_, {});
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().find(dir_ + "/ca.crt"), std::string::npos) << c.error();
  EXPECT_NE(c.error().find("not a PEM certificate"), std::string::npos) << c.error();
}

TEST_F(CredentialsTest, UnwritableDirectoryIsAnErrorNamingThePath) {
  // Tests may run as root, which ignores permission bits; a regular file in the way fails
  // for everyone.
  std::ofstream(root_ + "/plain-file") << "x";
  std::string bad = root_ + "/plain-file/data";
  auto c = ensure_credentials(bad, {});
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().find(bad), std::string::npos) << c.error();

  auto w = write_file_atomic(root_ + "/plain-file/kubeconfig", "x", 0600);
  ASSERT_FALSE(w.has_value());
  EXPECT_NE(w.error().find(root_ + "/plain-file/kubeconfig"), std::string::npos) << w.error();
  EXPECT_NE(w.error().find("Not a directory"), std::string::npos) << w.error();
}

TEST_F(CredentialsTest, WriteFileAtomicReplacesContentAndSetsMode) {
  fs::create_directories(dir_);
  std::string path = dir_ + "/kubeconfig";
  ASSERT_TRUE(write_file_atomic(path, "first", 0644).has_value());
  EXPECT_EQ(read("kubeconfig"), "first");
  EXPECT_EQ(mode(path), 0644u);
  ASSERT_TRUE(write_file_atomic(path, "second", 0600).has_value());
  EXPECT_EQ(read("kubeconfig"), "second");
  EXPECT_EQ(mode(path), 0600u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

std::string base64_decode(const std::string& in) {
  std::string out(in.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return "";
  // EVP_DecodeBlock counts padding as zero bytes.
  std::size_t pad = 0;
  for (auto it = in.rbegin(); it != in.rend() && *it == '='; ++it) ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

TEST_F(CredentialsTest, KubeconfigParsesWithServerCaAndToken) {
  auto c = ensure_credentials(dir_, {});
  ASSERT_TRUE(c.has_value()) << c.error();
  for (const std::string url : {"https://127.0.0.1:6443", "https://[::1]:6443"}) {
    YAML::Node kc = YAML::Load(kubeconfig_yaml(url, c->ca_pem, c->token));
    EXPECT_EQ(kc["apiVersion"].as<std::string>(), "v1");
    EXPECT_EQ(kc["kind"].as<std::string>(), "Config");
    std::string context = kc["current-context"].as<std::string>();
    YAML::Node ctx;
    for (const auto& n : kc["contexts"]) {
      if (n["name"].as<std::string>() == context) ctx = n["context"];
    }
    ASSERT_TRUE(ctx.IsDefined()) << context;
    YAML::Node cluster, user;
    for (const auto& n : kc["clusters"]) {
      if (n["name"].as<std::string>() == ctx["cluster"].as<std::string>()) cluster = n["cluster"];
    }
    for (const auto& n : kc["users"]) {
      if (n["name"].as<std::string>() == ctx["user"].as<std::string>()) user = n["user"];
    }
    ASSERT_TRUE(cluster.IsDefined());
    ASSERT_TRUE(user.IsDefined());
    EXPECT_EQ(cluster["server"].as<std::string>(), url);
    EXPECT_EQ(base64_decode(cluster["certificate-authority-data"].as<std::string>()), c->ca_pem);
    EXPECT_EQ(user["token"].as<std::string>(), c->token);
  }
}

}  // namespace
}  // namespace ferrum::apiserver
