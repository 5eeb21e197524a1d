#include "wiper.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

namespace ferrum::agent {

namespace {

constexpr std::uint64_t kChunk = 64 * kMiB;
constexpr std::size_t kWriteBuffer = 1 << 20;

std::string errno_text(const std::string& what, int err) {
  return what + ": " + std::strerror(err);
}

bool write_zeroes(int fd, std::uint64_t offset, std::uint64_t length, int& err) {
  static const std::vector<char> zeroes(kWriteBuffer, 0);
  while (length > 0) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(length, zeroes.size()));
    ssize_t w = ::pwrite(fd, zeroes.data(), n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      err = errno;
      return false;
    }
    if (w == 0) {
      err = EIO;
      return false;
    }
    offset += static_cast<std::uint64_t>(w);
    length -= static_cast<std::uint64_t>(w);
  }
  return true;
}

}  // namespace

WipeResult wipe_device(const DeviceWipe& dev, const WipeProgress& progress) {
  WipeResult r{dev.name, false, {}, {}, 0};
  int fd = ::open(dev.dev_path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    r.error = errno_text("open " + dev.dev_path, errno);
    return r;
  }
  bool zeroout = true;  // until the device says it can't
  bool used_zeroout = false, used_write = false;
  std::uint64_t total = dev.bytes();
  for (const auto& range : dev.ranges) {
    for (std::uint64_t off = range.offset; off < range.offset + range.length; off += kChunk) {
      std::uint64_t len = std::min(kChunk, range.offset + range.length - off);
      bool done = false;
      if (zeroout) {
        std::uint64_t arg[2] = {off, len};
        if (::ioctl(fd, BLKZEROOUT, arg) == 0) {
          done = used_zeroout = true;
        } else if (errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL) {
          zeroout = false;  // a regular file, or no zeroing support: write from now on
        } else {
          r.error = errno_text("BLKZEROOUT " + dev.dev_path, errno);
          ::close(fd);
          return r;
        }
      }
      if (!done) {
        int err = 0;
        if (!write_zeroes(fd, off, len, err)) {
          r.error = errno_text("write " + dev.dev_path, err);
          ::close(fd);
          return r;
        }
        used_write = true;
      }
      r.bytes += len;
      if (progress) progress(dev, r.bytes, total);
    }
  }
  if (::fsync(fd) != 0) {
    r.error = errno_text("fsync " + dev.dev_path, errno);
    ::close(fd);
    return r;
  }
  ::close(fd);
  r.method = used_zeroout && used_write ? "BLKZEROOUT+write"
             : used_zeroout             ? "BLKZEROOUT"
                                        : "write";
  r.ok = true;
  return r;
}

std::vector<WipeResult> wipe_all(const WipePlan& plan, int parallel, const WipeProgress& progress) {
  std::vector<WipeResult> results(plan.devices.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (;;) {
      std::size_t i = next.fetch_add(1);
      if (i >= plan.devices.size()) return;
      results[i] = wipe_device(plan.devices[i], progress);
    }
  };
  std::size_t n =
      std::min<std::size_t>(static_cast<std::size_t>(std::max(parallel, 1)), plan.devices.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < n; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  return results;
}

}  // namespace ferrum::agent
