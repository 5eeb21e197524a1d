#include "ipxe_script.hpp"

#include "kernel_args.hpp"

namespace ferrum::ipxe {
namespace {

// iPXE expands ${...} and treats control characters as line structure; notes are operator
// facing text built from resource names, so keep them to plain printable characters.
std::string safe_note(std::string_view note) {
  std::string out;
  for (char c : note) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '$') continue;
    out.push_back(c);
    if (out.size() >= 200) break;
  }
  return out;
}

std::string echo_line(std::string_view note) {
  auto n = safe_note(note);
  return n.empty() ? std::string() : "echo ferrum: " + n + "\n";
}

}  // namespace

std::string render_boot_script(std::string_view endpoint, int attempts) {
  std::string s;
  s.reserve(1024);
  s += "#!ipxe\n";
  s += "# Ferrum: try DHCP on every NIC and ask ferrum-ipxe-http what to boot.\n";
  s += "set attempts:int32 " + std::to_string(attempts) + "\n";
  s += "set x:int32 0\n";
  s += ":retry_loop\n";
  s += "set idx:int32 0\n";
  s += ":loop\n";
  s += "isset ${net${idx}/mac} || goto exhausted\n";
  s += "ifclose\n";
  // Not every iPXE build has iflinkwait (Debian's ipxe-qemu ROMs lack it): a failure here is
  // not fatal, because dhcp waits for the link itself and fails on a dead NIC anyway.
  s += "iflinkwait --timeout 5000 net${idx} ||\n";
  s += "dhcp net${idx} && goto boot\n";
  s += ":next_iface\n";
  s += "inc idx && goto loop\n";
  s += ":boot\n";
  s += "chain --replace http://" + std::string(endpoint) +
       "/ipxe?uuid=${uuid}&mac=${net${idx}/mac:hexhyp}&domain=${domain}&hostname=${hostname}"
       "&serial=${serial}&arch=${buildarch} || goto next_iface\n";
  s += ":exhausted\n";
  s += "echo ferrum: no interface got a boot script\n";
  s += "iseq ${x} ${attempts} && goto fail ||\n";
  s += "inc x\n";
  s += "sleep 1\n";
  s += "goto retry_loop\n";
  s += ":fail\n";
  s += "echo ferrum: giving up after ${attempts} attempts, rebooting in 5 seconds\n";
  s += "sleep 5\n";
  s += "reboot\n";
  return s;
}

Expected<std::string, std::string> render_environment_script(std::string_view environment,
                                                             const std::vector<std::string>& args,
                                                             std::string_view note) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    for (char c : args[i]) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f || c == ' ') {
        return unexpected("environment " + std::string(environment) + ": kernel arg " +
                          std::to_string(i) + " contains a space or control character");
      }
    }
  }
  std::string cmdline = join_args(args);
  if (cmdline.size() > kMaxKernelCommandLine) {
    return unexpected("environment " + std::string(environment) + ": kernel command line is " +
                      std::to_string(cmdline.size()) + " bytes, more than Linux keeps (" +
                      std::to_string(kMaxKernelCommandLine) + ")");
  }
  std::string s = "#!ipxe\n" + echo_line(note);
  s += "kernel /env/" + std::string(environment) + "/" + std::string(kKernelAsset);
  if (!cmdline.empty()) s += " " + cmdline;
  s += "\ninitrd /env/" + std::string(environment) + "/" + std::string(kInitrdAsset) + "\n";
  s += "boot\n";
  if (s.size() > kMaxScriptBytes) {
    return unexpected("environment " + std::string(environment) + ": script is " +
                      std::to_string(s.size()) + " bytes, more than " +
                      std::to_string(kMaxScriptBytes));
  }
  return s;
}

std::string render_exit_script(std::string_view note) {
  return "#!ipxe\n" + echo_line(note) + "exit\n";
}

std::string render_sanboot_script(std::string_view note) {
  return "#!ipxe\n" + echo_line(note) + "sanboot --no-describe --drive 0x80\n";
}

}  // namespace ferrum::ipxe
