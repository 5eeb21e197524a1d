#pragma once
// Places an input right before an unreadable page, so a parser that reads past its end
// faults even inside an uninstrumented library (libmnl's attribute walk is Debian's build,
// which ASan cannot see into). The start stays 8-byte aligned as a recv() buffer is, so at
// most 7 bytes of slack remain unchecked after an input whose size is not a multiple of 8.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace ferrum::fuzz {

class GuardedBuffer {
 public:
  // Inputs longer than this are not copied (copy() returns nullptr); libFuzzer's -max_len
  // stays far below it.
  static constexpr std::size_t kCapacity = 1 << 20;

  GuardedBuffer() {
    page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    void* p = mmap(nullptr, kCapacity + page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (p == MAP_FAILED) std::abort();
    base_ = static_cast<std::uint8_t*>(p);
    if (mprotect(base_ + kCapacity, page_, PROT_NONE) != 0) std::abort();
  }

  const std::uint8_t* copy(const std::uint8_t* data, std::size_t size) {
    if (size > kCapacity) return nullptr;
    std::size_t aligned = (size + 7) & ~std::size_t{7};
    std::uint8_t* at = base_ + kCapacity - aligned;
    std::memset(at + size, 0, aligned - size);
    if (size > 0) std::memcpy(at, data, size);
    return at;
  }

 private:
  std::uint8_t* base_ = nullptr;
  std::size_t page_ = 0;
};

}  // namespace ferrum::fuzz
