#pragma once
// The agent's log: one line per event on the console with a `[ferrum]` prefix, so the
// serial log of a machine tells the story (docs/agent.md lists every line). Thread-safe:
// wiping threads report progress through it.
#include <cstdio>
#include <mutex>
#include <string>

namespace ferrum::agent {

class Console {
 public:
  explicit Console(std::FILE* out) : out_(out) {}
  void line(const std::string& msg) {
    std::lock_guard lock(mu_);
    std::fprintf(out_, "[ferrum] %s\n", msg.c_str());
    std::fflush(out_);
  }

 private:
  std::mutex mu_;
  std::FILE* out_;
};

}  // namespace ferrum::agent
