#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ferrum/base64.hpp"
#include "ferrum/json_text.hpp"
#include "ferrum/kube/config.hpp"
#include "ferrum/yaml.hpp"

namespace ferrum::kube {

using nlohmann::json;

EnvLookup process_env_lookup() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::optional<std::string> base64_decode(std::string_view in) { return base64::decode_lenient(in); }

std::string base64_encode(std::string_view in) { return base64::encode(in); }

namespace {

Expected<std::string, std::string> read_file(const std::string& path,
                                             std::size_t limit = 16u << 20) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return unexpected(std::string("cannot read: ") + std::strerror(errno));
  std::string data;
  char buf[8192];
  while (f.read(buf, sizeof buf) || f.gcount() > 0) {
    data.append(buf, static_cast<std::size_t>(f.gcount()));
    if (data.size() > limit)
      return unexpected(std::string("file larger than ") + std::to_string(limit) + " bytes");
  }
  return data;
}

std::string trim(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

class KubeconfigReader {
 public:
  KubeconfigReader(const std::string& path, const json& doc) : path_(path), doc_(doc) {
    base_dir_ = std::filesystem::path(path).parent_path().string();
  }

  Expected<RestConfig, std::string> read(std::string_view context_override) {
    std::string ctx_name(context_override);
    if (ctx_name.empty()) ctx_name = str(doc_, "current-context");
    if (ctx_name.empty()) return fail("current-context", "not set (and no context given)");
    auto ctx = find_named("contexts", ctx_name);
    if (!ctx) return fail("contexts", "no context named \"" + ctx_name + "\"");
    const json& c = (*ctx)->contains("context") ? (**ctx)["context"] : json::object();
    const std::string cpath = "contexts[" + ctx_name + "].context";
    std::string cluster_name = str(c, "cluster");
    if (cluster_name.empty()) return fail(cpath + ".cluster", "missing");
    std::string user_name = str(c, "user");

    RestConfig cfg;
    cfg.default_namespace = str(c, "namespace");
    cfg.source = "kubeconfig " + path_ + " (context " + ctx_name + ")";

    auto cl = find_named("clusters", cluster_name);
    if (!cl)
      return fail("clusters", "no cluster named \"" + cluster_name + "\" (used by " + cpath + ")");
    const std::string clpath = "clusters[" + cluster_name + "].cluster";
    const json& cluster = (*cl)->contains("cluster") ? (**cl)["cluster"] : json::object();
    cfg.server = str(cluster, "server");
    if (cfg.server.empty()) return fail(clpath + ".server", "missing");
    while (!cfg.server.empty() && cfg.server.back() == '/') cfg.server.pop_back();
    if (cfg.server.rfind("https://", 0) != 0 && cfg.server.rfind("http://", 0) != 0)
      return fail(clpath + ".server", "\"" + cfg.server + "\" is not an http(s) URL");
    cfg.tls_server_name = str(cluster, "tls-server-name");
    auto insecure = boolean(cluster, "insecure-skip-tls-verify", clpath);
    if (!insecure) return unexpected(insecure.error());
    cfg.insecure_skip_tls_verify = *insecure;
    auto ca = data_or_file(cluster, "certificate-authority-data", "certificate-authority", clpath);
    if (!ca) return unexpected(ca.error());
    cfg.ca_pem = *ca;

    if (!user_name.empty()) {
      auto us = find_named("users", user_name);
      if (!us) return fail("users", "no user named \"" + user_name + "\" (used by " + cpath + ")");
      const std::string upath = "users[" + user_name + "].user";
      const json& user = (*us)->contains("user") ? (**us)["user"] : json::object();
      for (const char* unsupported : {"exec", "auth-provider", "username", "password"}) {
        if (user.is_object() && user.contains(unsupported) && !user[unsupported].is_null())
          return fail(upath + "." + unsupported,
                      "not supported by Ferrum's client (use a token or a client certificate)");
      }
      cfg.token = str(user, "token");
      std::string token_file = str(user, "tokenFile");
      if (cfg.token.empty() && !token_file.empty()) {
        cfg.token_file = resolve(token_file);
        auto t = read_file(cfg.token_file);
        if (!t) return fail(upath + ".tokenFile", cfg.token_file + ": " + t.error());
        cfg.token = trim(*t);
      }
      auto cert = data_or_file(user, "client-certificate-data", "client-certificate", upath);
      if (!cert) return unexpected(cert.error());
      auto key = data_or_file(user, "client-key-data", "client-key", upath);
      if (!key) return unexpected(key.error());
      cfg.client_cert_pem = *cert;
      cfg.client_key_pem = *key;
      if (cfg.client_cert_pem.empty() != cfg.client_key_pem.empty())
        return fail(upath, cfg.client_cert_pem.empty() ? "client-key without client-certificate"
                                                       : "client-certificate without client-key");
    }
    if (cfg.insecure_skip_tls_verify && !cfg.ca_pem.empty())
      return fail(clpath,
                  "certificate-authority and insecure-skip-tls-verify are mutually exclusive");
    return cfg;
  }

 private:
  Unexpected<std::string> fail(const std::string& field, const std::string& what) const {
    return unexpected("kubeconfig " + path_ + ": " + field + ": " + what);
  }

  // YAML may type an unquoted all-digit token or name as a number; kubeconfig fields are
  // strings, so scalars are read back as written.
  static std::string str(const json& o, const char* key) {
    if (!o.is_object()) return {};
    auto it = o.find(key);
    if (it == o.end() || it->is_null() || it->is_object() || it->is_array()) return {};
    if (it->is_string()) return it->get<std::string>();
    return json_text::dump(*it);
  }

  Expected<bool, std::string> boolean(const json& o, const char* key,
                                      const std::string& where) const {
    if (!o.is_object() || !o.contains(key) || o[key].is_null()) return false;
    const json& v = o[key];
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_string() && (v == "true" || v == "True" || v == "TRUE")) return true;
    if (v.is_string() && (v == "false" || v == "False" || v == "FALSE")) return false;
    return fail(where + "." + key, "not a boolean");
  }

  std::optional<const json*> find_named(const char* list, const std::string& name) const {
    auto it = doc_.find(list);
    if (it == doc_.end() || !it->is_array()) return std::nullopt;
    for (const auto& e : *it)
      if (e.is_object() && str(e, "name") == name) return &e;
    return std::nullopt;
  }

  std::string resolve(const std::string& p) const {
    if (p.empty() || p[0] == '/' || base_dir_.empty()) return p;
    return (std::filesystem::path(base_dir_) / p).string();
  }

  // "<x>-data" (base64) wins over "<x>" (a file path), as in client-go.
  Expected<std::string, std::string> data_or_file(const json& o, const char* data_key,
                                                  const char* file_key,
                                                  const std::string& where) const {
    std::string data = str(o, data_key);
    if (!data.empty()) {
      auto d = base64_decode(data);
      if (!d) return fail(where + "." + data_key, "not valid base64");
      return *d;
    }
    std::string file = str(o, file_key);
    if (file.empty()) return std::string();
    auto f = read_file(resolve(file));
    if (!f) return fail(where + "." + file_key, resolve(file) + ": " + f.error());
    return *f;
  }

  std::string path_;
  std::string base_dir_;
  const json& doc_;
};

Expected<json, std::string> parse_yaml(std::string_view text, const std::string& path) {
  auto parsed = yaml::parse(text);
  if (!parsed) return unexpected("kubeconfig " + path + ": " + parsed.error().message());
  json j = std::move(*parsed);
  if (j.is_null()) j = json::object();
  if (!j.is_object()) return unexpected("kubeconfig " + path + ": not a YAML mapping");
  return j;
}

// Relative paths inside each file are resolved against that file's directory before merging.
void absolutize(json& doc, const std::string& path) {
  auto dir = std::filesystem::path(path).parent_path();
  auto fix = [&](json& o, const char* key) {
    if (!o.is_object()) return;
    auto it = o.find(key);
    if (it == o.end() || !it->is_string()) return;
    std::string v = it->get<std::string>();
    if (!v.empty() && v[0] != '/') *it = (dir / v).string();
  };
  if (doc.contains("clusters") && doc["clusters"].is_array())
    for (auto& c : doc["clusters"])
      if (c.is_object() && c.contains("cluster")) fix(c["cluster"], "certificate-authority");
  if (doc.contains("users") && doc["users"].is_array())
    for (auto& u : doc["users"])
      if (u.is_object() && u.contains("user"))
        for (const char* k : {"client-certificate", "client-key", "tokenFile"}) fix(u["user"], k);
}

}  // namespace

Expected<RestConfig, std::string> parse_kubeconfig(std::string_view text, const std::string& path,
                                                   std::string_view context) {
  auto doc = parse_yaml(text, path);
  if (!doc) return unexpected(doc.error());
  return KubeconfigReader(path, *doc).read(context);
}

Expected<RestConfig, std::string> load_kubeconfig(const std::string& paths,
                                                  std::string_view context) {
  std::vector<std::string> files;
  std::stringstream ss(paths);
  for (std::string p; std::getline(ss, p, ':');)
    if (!p.empty()) files.push_back(p);
  if (files.empty()) return unexpected(std::string("kubeconfig: empty path"));
  if (files.size() == 1) {
    auto text = read_file(files[0]);
    if (!text) return unexpected("kubeconfig " + files[0] + ": " + text.error());
    return parse_kubeconfig(*text, files[0], context);
  }
  // kubectl's merge: missing files are skipped; the first file to set a value or define a
  // named entry wins.
  json merged = json::object();
  merged["clusters"] = json::array();
  merged["users"] = json::array();
  merged["contexts"] = json::array();
  std::vector<std::string> used;
  for (const auto& f : files) {
    if (!std::filesystem::exists(f)) continue;
    auto text = read_file(f);
    if (!text) return unexpected("kubeconfig " + f + ": " + text.error());
    auto doc = parse_yaml(*text, f);
    if (!doc) return unexpected(doc.error());
    absolutize(*doc, f);
    used.push_back(f);
    if (!merged.contains("current-context") && doc->contains("current-context") &&
        (*doc)["current-context"].is_string() &&
        !(*doc)["current-context"].get<std::string>().empty())
      merged["current-context"] = (*doc)["current-context"];
    for (const char* list : {"clusters", "users", "contexts"}) {
      if (!doc->contains(list) || !(*doc)[list].is_array()) continue;
      for (const auto& e : (*doc)[list]) {
        bool dup = false;
        for (const auto& m : merged[list])
          if (m.is_object() && e.is_object() && m.value("name", json()) == e.value("name", json()))
            dup = true;
        if (!dup) merged[list].push_back(e);
      }
    }
  }
  if (used.empty()) return unexpected("kubeconfig " + paths + ": none of these files exist");
  std::string joined;
  for (const auto& u : used) joined += (joined.empty() ? "" : ":") + u;
  return KubeconfigReader(joined, merged).read(context);
}

Expected<RestConfig, std::string> in_cluster_config(const EnvLookup& env,
                                                    const std::string& sa_dir) {
  auto host = env("KUBERNETES_SERVICE_HOST");
  auto port = env("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty() || !port || port->empty())
    return unexpected(
        std::string("in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set"));
  RestConfig cfg;
  bool v6 = host->find(':') != std::string::npos;
  cfg.server = "https://" + (v6 ? "[" + *host + "]" : *host) + ":" + *port;
  cfg.token_file = sa_dir + "/token";
  auto token = read_file(cfg.token_file);
  if (!token) return unexpected("in-cluster: " + cfg.token_file + ": " + token.error());
  cfg.token = trim(*token);
  if (cfg.token.empty()) return unexpected("in-cluster: " + cfg.token_file + ": empty token");
  auto ca = read_file(sa_dir + "/ca.crt");
  if (!ca) return unexpected("in-cluster: " + sa_dir + "/ca.crt: " + ca.error());
  cfg.ca_pem = *ca;
  if (auto ns = read_file(sa_dir + "/namespace")) cfg.default_namespace = trim(*ns);
  cfg.source = "in-cluster service account (" + sa_dir + ")";
  return cfg;
}

Expected<RestConfig, std::string> resolve_config(const std::string& explicit_path,
                                                 const EnvLookup& env, const std::string& sa_dir) {
  if (!explicit_path.empty()) return load_kubeconfig(explicit_path);
  auto host = env("KUBERNETES_SERVICE_HOST");
  if (host && !host->empty()) return in_cluster_config(env, sa_dir);
  auto kc = env("KUBECONFIG");
  if (kc && !kc->empty()) return load_kubeconfig(*kc);
  return unexpected(
      std::string("no Kubernetes API configured: pass --kubeconfig, run in a pod "
                  "(KUBERNETES_SERVICE_HOST unset), "
                  "or set KUBECONFIG"));
}

}  // namespace ferrum::kube
