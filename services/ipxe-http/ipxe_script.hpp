#pragma once
// iPXE scripts Ferrum serves. Pure text rendering; the callers decide which one.
//
// Limits (why the renderer checks them): Linux on x86 truncates the kernel command line at
// 2048 bytes (COMMAND_LINE_SIZE), silently dropping whatever args come last (talos.config is
// appended last), and iPXE reads a script line by line, so a newline inside an arg would turn
// the rest of it into an iPXE command. Rendering fails instead, naming the problem.

#include <string>
#include <string_view>
#include <vector>

#include "ferrum/expected.hpp"

namespace ferrum::ipxe {

inline constexpr std::size_t kMaxKernelCommandLine = 2047;  // plus the terminating NUL
inline constexpr std::size_t kMaxScriptBytes = 4096;

// Asset names under /env/<environment>/ (Sidero's constants).
inline constexpr std::string_view kKernelAsset = "vmlinuz";
inline constexpr std::string_view kInitrdAsset = "initramfs.xz";

// /boot.ipxe: tries every NIC (ifclose, iflinkwait, dhcp) and chains to
// http://<endpoint>/ipxe?uuid=...&mac=...&arch=..., retrying `attempts` rounds, then reboots.
// `endpoint` is "host:port" as machines must reach it ("[v6]:port" for IPv6).
std::string render_boot_script(std::string_view endpoint, int attempts = 10);

// A script booting /env/<name>/vmlinuz with `args` and /env/<name>/initramfs.xz. `note`
// is echoed on the console first (why this machine boots this environment).
Expected<std::string, std::string> render_environment_script(std::string_view environment,
                                                             const std::vector<std::string>& args,
                                                             std::string_view note);

// Boot from disk: `exit` hands control back to the firmware's next boot device; sanboot
// boots the first BIOS disk directly.
std::string render_exit_script(std::string_view note);
std::string render_sanboot_script(std::string_view note);

}  // namespace ferrum::ipxe
