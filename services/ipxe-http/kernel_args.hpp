#pragma once
// Kernel command lines as lists of words, with the two merge rules the boot decision needs.
// Pure.

#include <string>
#include <string_view>
#include <vector>

namespace ferrum::ipxe {

// "key=value" -> "key"; "quiet" -> "quiet".
std::string_view arg_key(std::string_view arg);

// Splits on whitespace (kernel command lines have no quoting Ferrum relies on).
std::vector<std::string> split_args(std::string_view text);

// Every key that `overrides` mentions replaces all of that key's entries in `base` (at the
// place of the first one; appended when `base` has none), as Talos' procfs Cmdline.Set does:
// `console=ttyS1,115200` in --extra-agent-kernel-args replaces both default consoles.
std::vector<std::string> override_args(std::vector<std::string> base,
                                       const std::vector<std::string>& overrides);

// Appends `arg` unless an entry with the same key is already there (an Environment that sets
// talos.config itself keeps its own).
void append_unless_set(std::vector<std::string>& args, const std::string& arg);

std::string join_args(const std::vector<std::string>& args);

}  // namespace ferrum::ipxe
