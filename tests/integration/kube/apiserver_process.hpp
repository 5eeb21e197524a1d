#pragma once
// Runs the real ferrum-apiserver for integration tests: a temp --data-dir, 127.0.0.1 port 0
// (or a given port, to restart on the same address), admin server on port 0, output to
// <data-dir>/apiserver.log; ready when the kubeconfig it writes works for GET /version.
// Stopped by PID (SIGTERM, or SIGKILL to simulate a crash).

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ferrum/kube/client.hpp"

extern char** environ;

namespace kubeit {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::string& log_path) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int rc = posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("posix_spawn " + argv[0] + ": " + std::strerror(rc));
  }
  ~Process() { kill(SIGKILL); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    return true;
  }
  // Sends `sig` and reaps the process.
  void kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

inline std::string temp_dir(const std::string& prefix) {
  std::string t = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(t.data())) throw std::runtime_error("mkdtemp");
  return t;
}

inline std::string read_text(const std::string& path) {
  std::ifstream f(path);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

class ApiServer {
 public:
  explicit ApiServer(std::vector<std::string> extra_args = {})
      : data_dir_(temp_dir("ferrum-apiserver")), extra_(std::move(extra_args)) {}
  ~ApiServer() {
    proc_.reset();
    std::error_code ec;
    if (!getenv("FERRUM_KEEP_TEST_DIRS")) fs::remove_all(data_dir_, ec);
  }

  // Starts on `port` (0: any free one) and waits until it answers.
  void start(std::uint16_t port = 0) {
    fs::remove(kubeconfig_path());
    // FERRUM_APISERVER overrides the binary (e.g. to test against another build).
    const char* bin = getenv("FERRUM_APISERVER");
    std::vector<std::string> argv = {
        bin && *bin ? bin : FERRUM_APISERVER_BIN, "--listen=127.0.0.1:" + std::to_string(port),
        "--data-dir=" + data_dir_, "--admin-listen=127.0.0.1:0", "--log-level=warn"};
    argv.insert(argv.end(), extra_.begin(), extra_.end());
    proc_ = std::make_unique<Process>(argv, data_dir_ + "/apiserver.log");
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!proc_->running())
        throw std::runtime_error("ferrum-apiserver exited: " +
                                 read_text(data_dir_ + "/apiserver.log"));
      if (fs::exists(kubeconfig_path())) {
        auto cfg = ferrum::kube::load_kubeconfig(kubeconfig_path());
        if (cfg) {
          ferrum::kube::RestClient c(*cfg);
          if (c.list(ferrum::kube::resources::namespaces(), "")) {
            config_ = *cfg;
            return;
          }
        }
      }
      std::this_thread::sleep_for(50ms);
    }
    throw std::runtime_error("ferrum-apiserver did not become ready: " +
                             read_text(data_dir_ + "/apiserver.log"));
  }
  void kill(int sig) {
    if (proc_) proc_->kill(sig);
    proc_.reset();
  }

  std::string kubeconfig_path() const { return data_dir_ + "/kubeconfig"; }
  const ferrum::kube::RestConfig& config() const { return config_; }
  std::uint16_t port() const {
    return static_cast<std::uint16_t>(
        std::stoi(config_.server.substr(config_.server.rfind(':') + 1)));
  }
  const std::string& data_dir() const { return data_dir_; }

 private:
  std::string data_dir_;
  std::vector<std::string> extra_;
  std::unique_ptr<Process> proc_;
  ferrum::kube::RestConfig config_;
};

// Polls `pred` until true or `timeout` (integration tests wait on real processes).
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

inline ferrum::kube::Json config_map(const std::string& ns, const std::string& name,
                                     const std::string& value) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"data", {{"v", value}}}};
}

}  // namespace kubeit
