#include "path_resolver.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace ferrum::tftp {
namespace {

PathError access(std::string reason) {
  return PathError{ErrorCode::kAccessViolation, std::move(reason)};
}

// openat2 with RESOLVE_BENEATH; falls back to a realpath check on kernels without it (< 5.6).
int open_beneath(int root_fd, const std::string& root, const std::string& rel, int& err) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof(how));
  if (fd >= 0) return static_cast<int>(fd);
  err = errno;
  if (err != ENOSYS) return -1;
  // Fallback: resolve every symlink, then require the result to stay under the root.
  std::string full = root + "/" + rel;
  char* real = ::realpath(full.c_str(), nullptr);
  if (real == nullptr) {
    err = errno;
    return -1;
  }
  std::string resolved(real);
  std::free(real);
  char* real_root = ::realpath(root.c_str(), nullptr);
  if (real_root == nullptr) {
    err = errno;
    return -1;
  }
  std::string rr(real_root);
  std::free(real_root);
  if (resolved.compare(0, rr.size(), rr) != 0 ||
      (resolved.size() > rr.size() && rr != "/" && resolved[rr.size()] != '/')) {
    err = EXDEV;
    return -1;
  }
  int f = ::open(resolved.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
  if (f < 0) err = errno;
  return f;
}

}  // namespace

Expected<std::string, PathError> normalize_request_path(std::string_view requested) {
  std::string p(requested);
  for (char& c : p) {
    if (c == '\\') c = '/';
  }
  if (p.size() >= 2 && p[1] == ':' &&
      ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z'))) {
    return unexpected(access("drive letter paths are refused"));
  }
  std::string_view rest(p);
  if (rest.starts_with('/')) rest.remove_prefix(1);
  if (rest.starts_with('/')) return unexpected(access("absolute paths are refused"));
  std::string out;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view comp = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") return unexpected(access("'..' in paths is refused"));
    if (!out.empty()) out += '/';
    out.append(comp);
  }
  if (out.empty()) return unexpected(access("the path names the root directory"));
  return out;
}

Expected<PathResolver, std::string> PathResolver::open_root(const std::string& root) {
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return unexpected("--root " + root + ": " + std::strerror(errno));
  return PathResolver(root, UniqueFd(fd));
}

Expected<OpenedFile, PathError> PathResolver::open(std::string_view requested) const {
  auto rel = normalize_request_path(requested);
  if (!rel) return unexpected(rel.error());
  int err = 0;
  int fd = open_beneath(root_fd_.get(), root_, *rel, err);
  if (fd < 0) {
    switch (err) {
      case ENOENT:
      case ENOTDIR:
        return unexpected(PathError{ErrorCode::kFileNotFound, "file not found"});
      case EXDEV:
      case ELOOP:
        return unexpected(access("the path leaves the root"));
      case EACCES:
      case EPERM:
        return unexpected(access("permission denied"));
      default:
        return unexpected(PathError{ErrorCode::kNotDefined, std::strerror(err)});
    }
  }
  OpenedFile f;
  f.fd.reset(fd);
  f.path = std::move(*rel);
  if (::fstat(fd, &f.st) != 0) {
    return unexpected(PathError{ErrorCode::kNotDefined, std::strerror(errno)});
  }
  if (!S_ISREG(f.st.st_mode)) return unexpected(access("not a regular file"));
  return f;
}

}  // namespace ferrum::tftp
