#pragma once
// The in-memory cache of served files, and what a transfer reads from.
//
// Contract: source() takes a file the PathResolver just opened (so every request re-checks
// the path) and returns its content for the transfer mode. A file no larger than
// max_file_bytes is served from memory; the cached copy is reused while the file's identity
// and change stamps (device, inode, size, mtime, ctime) match what fstat says now, and
// re-read when they differ. Larger octet files stream from their descriptor with pread;
// netascii needs the converted copy in memory, so larger netascii requests are refused.
// Memory: at most max_bytes of cached content, least recently used entries evicted first
// (a transfer keeps its copy alive until it ends). Thread-safe: the server's event loops
// share one cache (a miss reads the file under the cache's lock).

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ferrum/expected.hpp"
#include "path_resolver.hpp"

namespace ferrum::tftp {

class FileSource {
 public:
  FileSource() = default;
  static FileSource memory(std::shared_ptr<const std::vector<std::uint8_t>> bytes);
  static FileSource stream(UniqueFd fd, std::uint64_t size);

  std::uint64_t size() const { return size_; }
  bool in_memory() const { return bytes_ != nullptr; }
  // Bytes [offset, offset + len) clipped to the size: a view of the cached copy, or read into
  // `scratch` (at least len bytes). Nothing when the file got shorter or the read failed.
  std::optional<std::span<const std::uint8_t>> read(std::uint64_t offset, std::size_t len,
                                                    std::span<std::uint8_t> scratch) const;

 private:
  std::shared_ptr<const std::vector<std::uint8_t>> bytes_;
  std::shared_ptr<UniqueFd> fd_;
  std::uint64_t size_ = 0;
};

struct CacheLimits {
  std::uint64_t max_bytes = 256ull << 20;
  std::uint64_t max_file_bytes = 32ull << 20;
};

class FileCache {
 public:
  explicit FileCache(CacheLimits limits) : limits_(limits) {}

  // `hit`, when given, says whether a valid cached copy was used.
  Expected<FileSource, PathError> source(OpenedFile file, Mode mode, bool* hit = nullptr);

  std::uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  std::uint64_t files() const { return files_.load(std::memory_order_relaxed); }
  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Stamp {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
    bool operator==(const Stamp&) const = default;
  };
  struct Entry {
    Stamp stamp;
    std::shared_ptr<const std::vector<std::uint8_t>> bytes;
    std::uint64_t last_used = 0;
  };
  static Stamp stamp_of(const struct stat& st);
  void insert(const std::string& key, Entry entry);

  CacheLimits limits_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t tick_ = 0;
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic<std::uint64_t> files_{0};
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace ferrum::tftp
