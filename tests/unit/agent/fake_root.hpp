#pragma once
// A throwaway directory laid out like / (sys/block, sys/class/net, proc, dev) for the
// inventory and wipe tests; removed with the object.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace ferrum::agent {

class FakeRoot {
 public:
  FakeRoot() {
    char tmpl[] = "/tmp/ferrum-agent-root.XXXXXX";
    root_ = ::mkdtemp(tmpl);
  }
  ~FakeRoot() { std::filesystem::remove_all(root_); }
  const std::filesystem::path& path() const { return root_; }

  void write(const std::string& rel, const std::string& content) const {
    auto p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  // /sys/block/<name> with the attributes the inventory reads; sizes in 512-byte sectors.
  void disk(const std::string& name, std::uint64_t sectors, const std::string& rotational = "1",
            const std::string& ro = "0", const std::string& removable = "0") const {
    std::string d = "sys/block/" + name + "/";
    write(d + "size", std::to_string(sectors) + "\n");
    write(d + "ro", ro + "\n");
    write(d + "removable", removable + "\n");
    write(d + "queue/rotational", rotational + "\n");
  }
  void partition(const std::string& disk, const std::string& name, std::uint64_t start,
                 std::uint64_t sectors) const {
    std::string d = "sys/block/" + disk + "/" + name + "/";
    write(d + "partition", "1\n");
    write(d + "start", std::to_string(start) + "\n");
    write(d + "size", std::to_string(sectors) + "\n");
  }

 private:
  std::filesystem::path root_;
};

}  // namespace ferrum::agent
