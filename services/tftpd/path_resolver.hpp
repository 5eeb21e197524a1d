#pragma once
// Maps a requested file name to a file under the root, and nothing outside it.
//
// Contract:
// - normalize_request_path() is pure: backslashes count as separators (PXE clients written
//   for Windows servers send them); one leading '/' is accepted (iPXE sends "/name") and
//   means the root; '.' and empty components are dropped. Refused with access violation
//   (error 2): '..' components, paths that are still absolute after that ("//x"), drive
//   letters ("C:"), and a path naming the root itself.
// - PathResolver::open() opens the normalized path beneath the root with openat2
//   RESOLVE_BENEATH, so symlinks are followed only while they stay inside the root; one
//   that leaves it is error 2. Missing files are error 1; directories, devices and FIFOs
//   are error 2 (only regular files are served); other failures are error 0.

#include <sys/stat.h>

#include <string>
#include <string_view>

#include "ferrum/expected.hpp"
#include "packet.hpp"
#include "unique_fd.hpp"

namespace ferrum::tftp {

struct PathError {
  ErrorCode code;
  std::string reason;  // for logs and the error packet
};

Expected<std::string, PathError> normalize_request_path(std::string_view requested);

struct OpenedFile {
  UniqueFd fd;
  struct stat st {};
  std::string path;  // normalized, relative to the root
};

class PathResolver {
 public:
  // Opens the root directory; the error names it and the reason.
  static Expected<PathResolver, std::string> open_root(const std::string& root);

  Expected<OpenedFile, PathError> open(std::string_view requested) const;
  const std::string& root() const { return root_; }

 private:
  PathResolver(std::string root, UniqueFd fd) : root_(std::move(root)), root_fd_(std::move(fd)) {}
  std::string root_;
  UniqueFd root_fd_;
};

}  // namespace ferrum::tftp
