#include "asset_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ferrum/json_text.hpp"
#include "ferrum/model/json_fields.hpp"
#include "ipxe_script.hpp"

namespace ferrum::ipxe {

namespace fs = std::filesystem;

namespace {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

std::string lower_hex(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string etag_of(const AssetState& st) {
  if (!st.sha512.empty()) return "\"" + st.sha512.substr(0, 32) + "\"";
  return "\"" + std::to_string(st.size) + "-" + std::to_string(st.mtime) + "\"";
}

bool write_file_atomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return false;
    f << content;
    f.flush();
    if (!f) return false;
  }
  return ::rename(tmp.c_str(), path.c_str()) == 0;
}

bool stat_file(const std::string& path, AssetState& st) {
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0 || !S_ISREG(sb.st_mode)) return false;
  st.size = static_cast<std::uint64_t>(sb.st_size);
  st.mtime = sb.st_mtime;
  return true;
}

}  // namespace

AssetCache::AssetCache(AssetCacheSettings settings, Clock& clock, metrics::Registry& registry,
                       log::Logger log)
    : settings_(std::move(settings)),
      clock_(clock),
      downloads_(registry.counter("ferrum_ipxe_http_asset_downloads_total",
                                  "Environment asset downloads by result.", {"result"})),
      log_(std::move(log)) {
  for (const char* r : {"ok", "reused", "HTTPError", "ChecksumMismatch", "Timeout", "TooLarge",
                        "TransportError", "BadURL", "WriteError", "Cancelled"}) {
    downloads_.with({r});
  }
}

void AssetCache::count(const std::string& result) { downloads_.with({result}).inc(); }

bool AssetCache::reuse_existing(const std::string& path, AssetState& st) {
  std::ifstream src(path + ".source");
  if (!src) return false;
  auto j = nlohmann::json::parse(src, nullptr, false);
  if (!j.is_object() || j.value("url", "") != st.url) return false;
  std::string recorded = j.value("sha512", "");
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return false;
  std::string actual = sha512_file(fd.get());
  if (actual.empty() || actual != recorded) return false;
  if (!st.spec_sha512.empty() && lower_hex(st.spec_sha512) != actual) return false;
  if (!stat_file(path, st)) return false;
  st.sha512 = actual;
  return true;
}

AssetState AssetCache::sync_one(const std::string& env, const std::string& asset,
                                const std::string& url, const std::string& spec_sha512,
                                std::stop_token stop) {
  AssetState st;
  st.name = asset;
  st.url = url;
  st.spec_sha512 = spec_sha512;
  {
    std::shared_lock lock(mu_);
    auto e = envs_.find(env);
    if (e != envs_.end()) {
      auto a = e->second.find(asset);
      if (a != e->second.end() && a->second.ready && a->second.url == url &&
          a->second.spec_sha512 == spec_sha512) {
        return a->second;
      }
    }
  }
  fs::path dir = fs::path(settings_.asset_dir) / env;
  std::string path = (dir / asset).string();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    st.reason = "WriteError";
    st.message = "creating " + dir.string() + ": " + ec.message();
    return st;
  }
  if (reuse_existing(path, st)) {
    st.ready = true;
    count("reused");
    log_.info("asset verified on disk", {{"environment", env}, {"asset", asset}, {"url", url}});
    return st;
  }
  AssetFetcher fetcher(settings_.limits);
  auto delay = settings_.backoff;
  for (int attempt = 1;; ++attempt) {
    std::string tmp = path + ".download";
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      st.reason = "WriteError";
      st.message = "opening " + tmp + ": " + std::strerror(errno);
      count(st.reason);
      return st;
    }
    FetchResult r = fetcher.fetch(url, fd.get(), stop);
    if (r.ok && ::fsync(fd.get()) != 0) {
      r.ok = false;
      r.reason = "WriteError";
      r.message = std::string("fsync: ") + std::strerror(errno);
    }
    if (r.ok && !spec_sha512.empty() && lower_hex(spec_sha512) != r.sha512) {
      r.ok = false;
      r.reason = "ChecksumMismatch";
      r.message = "sha512 mismatch: spec " + lower_hex(spec_sha512) + ", downloaded " + r.sha512;
    }
    if (r.ok) {
      nlohmann::json source{{"url", url}, {"sha512", r.sha512}};
      // The bytes first, then the record of where they came from: a crash in between leaves
      // a record that does not match and the asset is downloaded again.
      if (::rename(tmp.c_str(), path.c_str()) != 0 ||
          !write_file_atomically(path + ".source", json_text::dump(source))) {
        r.ok = false;
        r.reason = "WriteError";
        r.message = "storing " + path + ": " + std::strerror(errno);
      }
    }
    if (r.ok) {
      stat_file(path, st);
      st.ready = true;
      st.sha512 = r.sha512;
      count("ok");
      log_.info("asset downloaded", {{"environment", env},
                                     {"asset", asset},
                                     {"url", url},
                                     {"bytes", r.bytes},
                                     {"attempt", attempt}});
      return st;
    }
    ::unlink(tmp.c_str());
    count(r.reason);
    st.reason = r.reason;
    st.message = r.message;
    log_.warn("asset download failed", {{"environment", env},
                                        {"asset", asset},
                                        {"url", url},
                                        {"reason", r.reason},
                                        {"error", r.message},
                                        {"attempt", attempt}});
    if (!r.retryable || attempt >= settings_.attempts) return st;
    if (!clock_.sleep_for(delay, stop)) return st;
    delay *= 2;
  }
}

std::vector<AssetState> AssetCache::sync(const model::Environment& env, std::stop_token stop) {
  std::string name = env.name();
  auto kernel = env.kernel();
  auto initrd = env.initrd();
  std::vector<AssetState> out;
  std::map<std::string, AssetState> states;
  struct Want {
    std::string asset, url, sha;
  };
  for (const Want& w : {Want{std::string(kKernelAsset), kernel.url, kernel.sha512},
                        Want{std::string(kInitrdAsset), initrd.url, initrd.sha512}}) {
    AssetState st;
    if (w.url.empty()) {
      st.name = w.asset;
      st.reason = "NoURL";
      st.message = "spec has no URL for " + w.asset;
    } else {
      st = sync_one(name, w.asset, w.url, w.sha, stop);
    }
    states[w.asset] = st;
    if (!w.url.empty()) out.push_back(st);
  }
  std::unique_lock lock(mu_);
  envs_[name] = std::move(states);
  generation_.fetch_add(1, std::memory_order_release);
  return out;
}

void AssetCache::forget(const std::string& env) {
  {
    std::unique_lock lock(mu_);
    envs_.erase(env);
    generation_.fetch_add(1, std::memory_order_release);
  }
  std::error_code ec;
  fs::remove_all(fs::path(settings_.asset_dir) / env, ec);
  log_.info("environment assets removed", {{"environment", env}});
}

namespace {

using AssetMap = std::map<std::string, std::map<std::string, AssetState>>;

// Same arches with the same files (by size and mtime) ready.
bool same_files(const AssetMap& a, const AssetMap& b) {
  auto same_state = [](const auto& x, const auto& y) {
    return x.first == y.first && x.second.ready == y.second.ready &&
           x.second.size == y.second.size && x.second.mtime == y.second.mtime;
  };
  auto same_arch = [&](const auto& x, const auto& y) {
    return x.first == y.first && std::equal(x.second.begin(), x.second.end(), y.second.begin(),
                                            y.second.end(), same_state);
  };
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), same_arch);
}

}  // namespace

void AssetCache::refresh_agents() {
  std::map<std::string, std::map<std::string, AssetState>> found;
  std::error_code ec;
  if (!settings_.agent_dir.empty()) {
    for (const auto& entry : fs::directory_iterator(settings_.agent_dir, ec)) {
      if (!entry.is_directory()) continue;
      std::string arch = entry.path().filename().string();
      std::map<std::string, AssetState> assets;
      for (auto a : {kKernelAsset, kInitrdAsset}) {
        AssetState st;
        st.name = std::string(a);
        if (stat_file((entry.path() / a).string(), st)) {
          st.ready = true;
          assets[st.name] = st;
        }
      }
      if (assets.size() == 2) found[arch] = std::move(assets);
    }
  }
  std::unique_lock lock(mu_);
  // Periodic: only a real change may invalidate what was derived from the old state.
  if (!same_files(agents_, found)) {
    agents_ = std::move(found);
    generation_.fetch_add(1, std::memory_order_release);
  }
}

std::string AssetCache::environment_unready(const nlohmann::json& env) const {
  static const std::string kEmpty;
  auto str = [&](model::FieldPath path) -> const std::string& {
    const nlohmann::json* v = model::find_field(env, path);
    return v != nullptr && v->is_string() ? v->get_ref<const std::string&>() : kEmpty;
  };
  const std::string& name = str({"metadata", "name"});
  const std::string& kernel_url = str({"spec", "kernel", "url"});
  const std::string& initrd_url = str({"spec", "initrd", "url"});
  if (kernel_url.empty()) return "spec.kernel.url is empty";
  if (initrd_url.empty()) return "spec.initrd.url is empty";
  struct Want {
    std::string_view asset;
    const std::string& url;
    const std::string& sha;
  };
  const Want wants[2] = {{kKernelAsset, kernel_url, str({"spec", "kernel", "sha512"})},
                         {kInitrdAsset, initrd_url, str({"spec", "initrd", "sha512"})}};
  std::shared_lock lock(mu_);
  auto e = envs_.find(name);
  if (e == envs_.end()) return "assets not downloaded yet";
  for (const auto& w : wants) {
    auto a = e->second.find(std::string(w.asset));
    if (a == e->second.end() || a->second.url != w.url || a->second.spec_sha512 != w.sha) {
      return std::string(w.asset) + " from " + w.url + " not downloaded yet";
    }
    if (!a->second.ready) {
      return std::string(w.asset) + ": " + a->second.reason + ": " + a->second.message;
    }
  }
  return {};
}

std::string AssetCache::agent_unready(const std::string& arch) const {
  std::shared_lock lock(mu_);
  if (agents_.count(arch)) return {};
  return "no vmlinuz and initramfs.xz in " + settings_.agent_dir + "/" + arch;
}

std::optional<OpenAsset> AssetCache::open(const std::string& env, const std::string& asset) const {
  if (asset != kKernelAsset && asset != kInitrdAsset) return std::nullopt;
  std::shared_lock lock(mu_);
  std::string path;
  const AssetState* st = nullptr;
  if (env.rfind("agent-", 0) == 0) {
    auto a = agents_.find(env.substr(6));
    if (a == agents_.end()) return std::nullopt;
    st = &a->second.at(asset);
    path = (fs::path(settings_.agent_dir) / env.substr(6) / asset).string();
  } else {
    auto e = envs_.find(env);
    if (e == envs_.end()) return std::nullopt;
    auto a = e->second.find(asset);
    if (a == e->second.end() || !a->second.ready) return std::nullopt;
    st = &a->second;
    path = (fs::path(settings_.asset_dir) / env / asset).string();
  }
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return std::nullopt;
  struct stat sb {};
  if (::fstat(fd.get(), &sb) != 0) return std::nullopt;
  OpenAsset out;
  out.size = static_cast<std::uint64_t>(sb.st_size);
  out.mtime = sb.st_mtime;
  out.etag = st->sha512.empty()
                 ? "\"" + std::to_string(out.size) + "-" + std::to_string(out.mtime) + "\""
                 : etag_of(*st);
  out.fd = fd.release();
  return out;
}

namespace {
bool all_ready(const std::map<std::string, AssetState>& assets) {
  bool ok = !assets.empty();
  for (const auto& [name, st] : assets) ok = ok && st.ready;
  return ok;
}
}  // namespace

std::size_t AssetCache::ready_environments() const {
  std::shared_lock lock(mu_);
  std::size_t n = 0;
  for (const auto& [name, assets] : envs_) n += all_ready(assets) ? 1 : 0;
  return n;
}

std::size_t AssetCache::unready_environments() const {
  std::shared_lock lock(mu_);
  std::size_t n = 0;
  for (const auto& [name, assets] : envs_) n += all_ready(assets) ? 0 : 1;
  return n;
}

}  // namespace ferrum::ipxe
