#include "file_cache.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "netascii.hpp"

namespace ferrum::tftp {

FileSource FileSource::memory(std::shared_ptr<const std::vector<std::uint8_t>> bytes) {
  FileSource s;
  s.size_ = bytes->size();
  s.bytes_ = std::move(bytes);
  return s;
}

FileSource FileSource::stream(UniqueFd fd, std::uint64_t size) {
  FileSource s;
  s.fd_ = std::make_shared<UniqueFd>(std::move(fd));
  s.size_ = size;
  return s;
}

std::optional<std::span<const std::uint8_t>> FileSource::read(
    std::uint64_t offset, std::size_t len, std::span<std::uint8_t> scratch) const {
  if (offset > size_) return std::nullopt;
  std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(len, size_ - offset));
  if (bytes_) return std::span<const std::uint8_t>(bytes_->data() + offset, n);
  if (!fd_ || scratch.size() < n) return std::nullopt;
  std::size_t got = 0;
  while (got < n) {
    ssize_t r =
        ::pread(fd_->get(), scratch.data() + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::nullopt;  // error, or the file got shorter
    got += static_cast<std::size_t>(r);
  }
  return std::span<const std::uint8_t>(scratch.data(), n);
}

FileCache::Stamp FileCache::stamp_of(const struct stat& st) {
  Stamp s;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.size = st.st_size;
  s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  s.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
  return s;
}

Expected<FileSource, PathError> FileCache::source(OpenedFile file, Mode mode, bool* hit) {
  if (hit != nullptr) *hit = false;
  const auto size = static_cast<std::uint64_t>(file.st.st_size);
  if (size > limits_.max_file_bytes || size > limits_.max_bytes) {
    if (mode == Mode::kNetascii) {
      return unexpected(
          PathError{ErrorCode::kNotDefined, "netascii is only served for files up to " +
                                                std::to_string(limits_.max_file_bytes) + " bytes"});
    }
    misses_.fetch_add(1, std::memory_order_relaxed);
    return FileSource::stream(std::move(file.fd), size);
  }
  std::string key = file.path;
  key += '\0';
  key += mode == Mode::kOctet ? 'o' : 'n';
  Stamp stamp = stamp_of(file.st);
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    if (it->second.stamp == stamp) {
      it->second.last_used = ++tick_;
      hits_.fetch_add(1, std::memory_order_relaxed);
      if (hit != nullptr) *hit = true;
      return FileSource::memory(it->second.bytes);
    }
    bytes_.fetch_sub(it->second.bytes->size(), std::memory_order_relaxed);
    files_.fetch_sub(1, std::memory_order_relaxed);
    entries_.erase(it);
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  auto content = std::make_shared<std::vector<std::uint8_t>>(size);
  std::size_t got = 0;
  while (got < size) {
    ssize_t r = ::pread(file.fd.get(), content->data() + got, size - got, static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return unexpected(PathError{ErrorCode::kNotDefined, std::strerror(errno)});
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  if (got != size) {
    return unexpected(PathError{ErrorCode::kNotDefined, "the file changed while being read"});
  }
  if (mode == Mode::kNetascii) {
    content = std::make_shared<std::vector<std::uint8_t>>(to_netascii(*content));
  }
  std::shared_ptr<const std::vector<std::uint8_t>> shared = std::move(content);
  if (shared->size() <= limits_.max_bytes) insert(key, Entry{stamp, shared, ++tick_});
  return FileSource::memory(std::move(shared));
}

void FileCache::insert(const std::string& key, Entry entry) {
  std::uint64_t need = entry.bytes->size();
  while (!entries_.empty() && bytes() + need > limits_.max_bytes) {
    auto oldest = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.last_used < oldest->second.last_used) oldest = it;
    }
    bytes_.fetch_sub(oldest->second.bytes->size(), std::memory_order_relaxed);
    files_.fetch_sub(1, std::memory_order_relaxed);
    entries_.erase(oldest);
  }
  bytes_.fetch_add(need, std::memory_order_relaxed);
  files_.fetch_add(1, std::memory_order_relaxed);
  entries_.emplace(key, std::move(entry));
}

}  // namespace ferrum::tftp
