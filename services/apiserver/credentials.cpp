#include "credentials.hpp"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "ferrum/base64.hpp"
#include "ferrum/json_text.hpp"

namespace ferrum::apiserver {

namespace {

constexpr int kCaDays = 3650;
// The serving certificate is re-issued at start-up when it gets this close to expiry, so a
// shorter life than the CA's costs clients nothing.
constexpr int kServingDays = 730;
constexpr int kRenewBeforeDays = 30;

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
  void operator()(ASN1_OCTET_STRING* p) const { ASN1_OCTET_STRING_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;
using Bio = std::unique_ptr<BIO, Free>;

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

std::string errno_text(int e) { return std::strerror(e); }

// The file's content, nullopt when it does not exist.
Expected<std::optional<std::string>, std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return unexpected(path + ": cannot open: " + errno_text(errno));
  }
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return unexpected(path + ": cannot read: " + errno_text(e));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(out));
}

std::string cert_pem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string key_pem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Cert parse_cert(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Cert c(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return c;
}

Key parse_key(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Key k(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return k;
}

// "[::1]" -> "::1": hosts may come from a listen address.
std::string bare_host(std::string h) {
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
  return h;
}

// The address bytes when `host` is an IP literal.
std::optional<std::string> ip_bytes(const std::string& host) {
  std::unique_ptr<ASN1_OCTET_STRING, Free> ip(a2i_IPADDRESS(host.c_str()));
  ERR_clear_error();
  if (!ip) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ip.get())),
                     static_cast<std::size_t>(ASN1_STRING_length(ip.get())));
}

std::vector<std::string> all_hosts(const std::vector<std::string>& hosts) {
  std::vector<std::string> out = {"localhost", "127.0.0.1", "::1"};
  for (const auto& h : hosts) {
    std::string b = bare_host(h);
    if (!b.empty() && std::find(out.begin(), out.end(), b) == out.end()) out.push_back(b);
  }
  return out;
}

struct SanSet {
  std::set<std::string> dns;
  std::set<std::string> ips;  // raw address bytes
  bool covers(const std::string& host) const {
    if (auto ip = ip_bytes(host)) return ips.count(*ip) > 0;
    return dns.count(host) > 0;
  }
};

SanSet sans_of(X509* cert) {
  SanSet out;
  std::unique_ptr<GENERAL_NAMES, Free> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
    if (n->type == GEN_DNS) {
      const ASN1_STRING* s = n->d.dNSName;
      std::string name(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<std::size_t>(ASN1_STRING_length(s)));
      out.dns.insert(bare_host(name));
    } else if (n->type == GEN_IPADD) {
      const ASN1_STRING* s = n->d.iPAddress;
      out.ips.insert(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                 static_cast<std::size_t>(ASN1_STRING_length(s))));
    }
  }
  return out;
}

Key generate_key() {
  Key k(EVP_EC_gen("P-256"));
  return k;
}

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool add_sans(X509* cert, const std::vector<std::string>& hosts) {
  std::unique_ptr<GENERAL_NAMES, Free> names(sk_GENERAL_NAME_new_null());
  for (const auto& h : hosts) {
    GENERAL_NAME* n = GENERAL_NAME_new();
    if (auto ip = ip_bytes(h)) {
      ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
      ASN1_OCTET_STRING_set(os, reinterpret_cast<const unsigned char*>(ip->data()),
                            static_cast<int>(ip->size()));
      GENERAL_NAME_set0_value(n, GEN_IPADD, os);
    } else {
      ASN1_IA5STRING* s = ASN1_IA5STRING_new();
      ASN1_STRING_set(s, h.data(), static_cast<int>(h.size()));
      GENERAL_NAME_set0_value(n, GEN_DNS, s);
    }
    sk_GENERAL_NAME_push(names.get(), n);
  }
  return X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

// A certificate for `key`, signed by `issuer_key` (self-signed when issuer is null).
Expected<Cert, std::string> issue(const std::string& common_name, EVP_PKEY* key, X509* issuer,
                                  EVP_PKEY* issuer_key, int days, bool ca,
                                  const std::vector<std::string>& hosts) {
  Cert cert(X509_new());
  if (!cert) return unexpected(openssl_error());
  X509_set_version(cert.get(), 2);  // v3
  std::unique_ptr<BIGNUM, Free> serial(BN_new());
  if (!serial || BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return unexpected("serial number: " + openssl_error());
  }
  // An hour of slack for clients whose clocks run behind.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("ferrum"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  X509_set_pubkey(cert.get(), key);
  bool ok = true;
  if (ca) {
    ok =
        add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE") &&
        add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign");
  } else {
    ok = add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE") &&
         add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature") &&
         add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth") &&
         add_sans(cert.get(), hosts);
  }
  ok = ok && add_ext(cert.get(), signer, NID_subject_key_identifier, "hash") &&
       add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid");
  if (!ok) return unexpected("certificate extensions: " + openssl_error());
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) <= 0) {
    return unexpected("signing: " + openssl_error());
  }
  return cert;
}

// Why the serving certificate must be re-issued, or nullopt when it is still good.
std::optional<std::string> serving_cert_problem(X509* cert, EVP_PKEY* key, X509* ca,
                                                const std::vector<std::string>& hosts) {
  if (cert == nullptr || key == nullptr) return "missing or unreadable";
  if (X509_check_private_key(cert, key) != 1) {
    ERR_clear_error();
    return "tls.key does not match tls.crt";
  }
  if (X509_check_issued(ca, cert) != X509_V_OK || X509_verify(cert, X509_get0_pubkey(ca)) != 1) {
    ERR_clear_error();
    return "not issued by ca.crt";
  }
  std::time_t soon = std::time(nullptr) + std::time_t(kRenewBeforeDays) * 86400;
  if (X509_cmp_time(X509_get0_notAfter(cert), &soon) < 0) return "expires soon";
  SanSet sans = sans_of(cert);
  for (const auto& h : hosts) {
    if (!sans.covers(h)) return "lacks host " + h;
  }
  return std::nullopt;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

std::string base64(const std::string& in) { return ferrum::base64::encode(in); }

}  // namespace

Expected<bool, std::string> write_file_atomic(const std::string& path, const std::string& content,
                                              unsigned mode) {
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return unexpected(path + ": cannot create a temporary file: " + errno_text(errno));
  auto fail = [&](const char* what) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return unexpected(path + ": " + what + ": " + errno_text(e));
  };
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) return fail("cannot set mode");
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot sync");
  if (::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return unexpected(path + ": cannot close: " + errno_text(e));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return unexpected(path + ": cannot rename into place: " + errno_text(e));
  }
  // The rename is durable only once the directory is.
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

Expected<Credentials, std::string> ensure_credentials(const std::string& data_dir,
                                                      const std::vector<std::string>& hosts) {
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec)) {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return unexpected(data_dir + ": cannot create the data directory: " + ec.message());
    std::filesystem::permissions(data_dir, std::filesystem::perms::owner_all, ec);
  }
  const std::string dir = std::filesystem::path(data_dir).string();
  auto file = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
  const std::string ca_crt = file("ca.crt"), ca_key = file("ca.key");
  const std::string tls_crt = file("tls.crt"), tls_key = file("tls.key");
  const std::string token_file = file("token");

  Credentials out;

  // The CA: reused when both halves exist. A damaged one is an error, not a reason to replace
  // it, because replacing it silently locks out every client holding the old one.
  auto ca_crt_text = read_file(ca_crt);
  if (!ca_crt_text) return unexpected(ca_crt_text.error());
  auto ca_key_text = read_file(ca_key);
  if (!ca_key_text) return unexpected(ca_key_text.error());
  Cert ca;
  Key ca_pkey;
  if (ca_crt_text->has_value() && ca_key_text->has_value()) {
    ca = parse_cert(**ca_crt_text);
    if (!ca) return unexpected(ca_crt + ": not a PEM certificate");
    ca_pkey = parse_key(**ca_key_text);
    if (!ca_pkey) return unexpected(ca_key + ": not a PEM private key");
    if (X509_check_private_key(ca.get(), ca_pkey.get()) != 1) {
      ERR_clear_error();
      return unexpected(ca_key + ": does not match " + ca_crt);
    }
    out.ca_pem = **ca_crt_text;
  } else {
    ca_pkey = generate_key();
    if (!ca_pkey) return unexpected("generating the CA key: " + openssl_error());
    auto issued = issue("ferrum-apiserver-ca", ca_pkey.get(), nullptr, nullptr, kCaDays, true, {});
    if (!issued) return unexpected("issuing the CA certificate: " + issued.error());
    ca = std::move(*issued);
    out.ca_pem = cert_pem(ca.get());
    if (auto w = write_file_atomic(ca_key, key_pem(ca_pkey.get()), 0600); !w) {
      return unexpected(w.error());
    }
    if (auto w = write_file_atomic(ca_crt, out.ca_pem, 0644); !w) return unexpected(w.error());
  }

  // The serving certificate: derived from the CA, so anything wrong with it is fixed by
  // issuing a new one.
  const std::vector<std::string> names = all_hosts(hosts);
  auto tls_crt_text = read_file(tls_crt);
  if (!tls_crt_text) return unexpected(tls_crt_text.error());
  auto tls_key_text = read_file(tls_key);
  if (!tls_key_text) return unexpected(tls_key_text.error());
  Cert cert = tls_crt_text->has_value() ? parse_cert(**tls_crt_text) : Cert();
  Key key = tls_key_text->has_value() ? parse_key(**tls_key_text) : Key();
  if (serving_cert_problem(cert.get(), key.get(), ca.get(), names)) {
    key = generate_key();
    if (!key) return unexpected("generating the serving key: " + openssl_error());
    auto issued =
        issue("ferrum-apiserver", key.get(), ca.get(), ca_pkey.get(), kServingDays, false, names);
    if (!issued) return unexpected("issuing the serving certificate: " + issued.error());
    cert = std::move(*issued);
    out.key_pem = key_pem(key.get());
    out.cert_pem = cert_pem(cert.get());
    if (auto w = write_file_atomic(tls_key, out.key_pem, 0600); !w) return unexpected(w.error());
    if (auto w = write_file_atomic(tls_crt, out.cert_pem, 0644); !w) return unexpected(w.error());
  } else {
    out.key_pem = **tls_key_text;
    out.cert_pem = **tls_crt_text;
  }

  auto token_text = read_file(token_file);
  if (!token_text) return unexpected(token_text.error());
  if (token_text->has_value()) out.token = trim(**token_text);
  if (out.token.empty()) {
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
      return unexpected("generating the token: " + openssl_error());
    static const char* hex = "0123456789abcdef";
    for (unsigned char c : raw) {
      out.token += hex[c >> 4];
      out.token += hex[c & 0xF];
    }
    if (auto w = write_file_atomic(token_file, out.token + "\n", 0600); !w) {
      return unexpected(w.error());
    }
  }
  return out;
}

std::string kubeconfig_yaml(const std::string& server_url, const std::string& ca_pem,
                            const std::string& token) {
  // Double-quoted YAML scalars are JSON strings, so quoting is escaping enough for any URL
  // (https://[::1]:6443 would otherwise start a flow sequence in some positions).
  auto quote = [](const std::string& s) { return json_text::dump(s); };
  return "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- name: ferrum\n"
         "  cluster:\n"
         "    server: " +
         quote(server_url) +
         "\n"
         "    certificate-authority-data: " +
         base64(ca_pem) +
         "\n"
         "users:\n"
         "- name: ferrum-admin\n"
         "  user:\n"
         "    token: " +
         quote(token) +
         "\n"
         "contexts:\n"
         "- name: ferrum\n"
         "  context:\n"
         "    cluster: ferrum\n"
         "    user: ferrum-admin\n"
         "current-context: ferrum\n"
         "preferences: {}\n";
}

}  // namespace ferrum::apiserver
