// ferrum-agent: runs in the agent environment (started by its /init), registers the machine
// with ferrum-registry, wipes it when told, sets up the BMC, and reboots. See docs/agent.md.
#include <sys/reboot.h>
#include <unistd.h>

#include <cstdio>

#include "agent_run.hpp"
#include "ferrum/daemon.hpp"
#include "ferrum/flags.hpp"

int main(int argc, char** argv) {
  ferrum::agent::RunSettings s;
  std::string root;
  bool reboot = true;
  std::chrono::milliseconds retry_initial{}, retry_max{}, call_timeout{};
  ferrum::flags::FlagSet flags(
      "ferrum-agent",
      "Registers this machine with ferrum-registry (ferrum.endpoint= and ferrum.mac= from the "
      "kernel command line), wipes its disks and sets up its BMC when told, then reboots.");
  flags.add_string("root", &root, "/", "Directory holding the sys/, proc/ and dev/ trees to read");
  flags.add_string("cmdline-file", &s.cmdline_file, "/proc/cmdline",
                   "File with the kernel command line (ferrum.mac, ferrum.endpoint, ...)");
  flags.add_string("ipmi-device", &s.ipmi_device, "/dev/ipmi0",
                   "In-band IPMI device for BMC setup; absent device: setup skipped");
  flags.add_string("dhcp-command", &s.dhcp_command, "",
                   "Command run with the boot NIC's name appended to get an address (the "
                   "image passes busybox udhcpc); empty: the network is already up");
  flags.add_string("bmc-user", &s.bmc_user, "ferrum", "BMC user created or reused (max 16 chars)");
  flags.add_int("max-attempts", &s.max_attempts, 0,
                "Attempts per registry call before giving up; 0 keeps trying", 0, 1000000);
  flags.add_duration("retry-initial", &retry_initial, std::chrono::seconds(1),
                     "First retry delay; doubles per attempt");
  flags.add_duration("retry-max", &retry_max, std::chrono::seconds(30), "Retry delay cap");
  flags.add_duration("call-timeout", &call_timeout, std::chrono::seconds(10),
                     "Deadline of each registry call");
  flags.add_bool("reboot", &reboot, true,
                 "Reboot at the end (ferrum.reboot=0 on the kernel command line also stops it)");
  if (int rc = ferrum::handle_parse(flags.parse(argc, argv, ferrum::flags::process_env()));
      rc >= 0) {
    return rc;
  }
  s.root = root;
  s.retry_initial = retry_initial;
  s.retry_max = retry_max;
  s.call_timeout = call_timeout;
  if (s.bmc_user.empty() || s.bmc_user.size() > 16) {
    std::fprintf(stderr, "ferrum-agent: --bmc-user \"%s\": must be 1-16 characters\n",
                 s.bmc_user.c_str());
    return 2;
  }
  ferrum::agent::Console console(stdout);
  auto result = ferrum::agent::run_agent(s, console);
  if (reboot && result.reboot) {
    console.line("rebooting");
    ::sync();
    ::reboot(RB_AUTOBOOT);
    console.line(std::string("reboot failed: ") + std::strerror(errno));
  }
  return result.outcome == ferrum::agent::RunOutcome::kDone ? 0 : 1;
}
