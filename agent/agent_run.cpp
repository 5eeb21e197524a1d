#include "agent_run.hpp"

#include <agent.grpc.pb.h>
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "backoff.hpp"
#include "bmc_setup.hpp"
#include "cmdline.hpp"
#include "ferrum/grpc_code.hpp"
#include "freeipmi_inband.hpp"
#include "hardware.hpp"
#include "wipe_plan.hpp"
#include "wiper.hpp"

namespace ferrum::agent {

namespace {

std::string human_bytes(std::uint64_t b) {
  std::ostringstream o;
  if (b >= (1ULL << 30)) {
    o << (b >> 30) << " GiB";
  } else if (b >= kMiB) {
    o << (b >> 20) << " MiB";
  } else {
    o << b << " B";
  }
  return o.str();
}

bool set_link_up(const std::string& ifname, std::string& err) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    err = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  ifreq req{};
  std::snprintf(req.ifr_name, sizeof req.ifr_name, "%s", ifname.c_str());
  bool ok = ::ioctl(fd, SIOCGIFFLAGS, &req) == 0;
  if (ok) {
    req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
    ok = ::ioctl(fd, SIOCSIFFLAGS, &req) == 0;
  }
  if (!ok) err = std::string("SIOCSIFFLAGS: ") + std::strerror(errno);
  ::close(fd);
  return ok;
}

int run_command(const std::string& command) {
  std::vector<std::string> words;
  std::istringstream in(command);
  for (std::string w; in >> w;) words.push_back(w);
  if (words.empty()) return -1;
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (pid < 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Global addresses of every interface but loopback, as CIDR, keyed by interface name.
std::map<std::string, std::vector<std::string>> live_addresses() {
  std::map<std::string, std::vector<std::string>> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || (a->ifa_flags & IFF_LOOPBACK)) continue;
    char buf[INET6_ADDRSTRLEN] = {};
    int prefix = 0;
    if (a->ifa_addr->sa_family == AF_INET) {
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof buf);
      if (a->ifa_netmask) {
        prefix =
            __builtin_popcount(reinterpret_cast<sockaddr_in*>(a->ifa_netmask)->sin_addr.s_addr);
      }
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      auto* s6 = reinterpret_cast<sockaddr_in6*>(a->ifa_addr);
      if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr)) continue;
      ::inet_ntop(AF_INET6, &s6->sin6_addr, buf, sizeof buf);
      if (a->ifa_netmask) {
        for (auto byte : reinterpret_cast<sockaddr_in6*>(a->ifa_netmask)->sin6_addr.s6_addr) {
          prefix += __builtin_popcount(byte);
        }
      }
    } else {
      continue;
    }
    out[a->ifa_name].push_back(std::string(buf) + "/" + std::to_string(prefix));
  }
  ::freeifaddrs(list);
  return out;
}

class Registry {
 public:
  Registry(const std::string& endpoint, const RunSettings& s, Console& console)
      : stub_(
            api::Agent::NewStub(grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials()))),
        settings_(s),
        console_(console),
        rng_(std::random_device{}()) {}

  // Calls fn(ctx) until it succeeds or max_attempts is reached; logs every failure.
  template <typename Fn>
  grpc::Status retry(const char* what, Fn&& fn) {
    Backoff backoff(settings_.retry_initial, settings_.retry_max, 0.2,
                    [this] { return std::uniform_real_distribution<double>(0, 1)(rng_); });
    for (;;) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + settings_.call_timeout);
      grpc::Status st = fn(ctx);
      if (st.ok()) return st;
      // The registry refused the request itself: retrying the same bytes cannot help.
      if (st.error_code() == grpc::StatusCode::INVALID_ARGUMENT) return st;
      auto delay = backoff.next();
      console_.line(std::string(what) + " failed (attempt " + std::to_string(backoff.attempts()) +
                    "): " + std::string(grpc_code_name(static_cast<int>(st.error_code()))) + " " +
                    st.error_message() + "; retrying in " + std::to_string(delay.count()) + " ms");
      if (settings_.max_attempts > 0 && backoff.attempts() >= settings_.max_attempts) return st;
      std::this_thread::sleep_for(delay);
    }
  }

  api::Agent::Stub& stub() { return *stub_; }

 private:
  std::unique_ptr<api::Agent::Stub> stub_;
  const RunSettings& settings_;
  Console& console_;
  std::mt19937 rng_;
};

// Sends Heartbeat every `period` until stopped, so the reconciler sees the wipe is alive.
class HeartbeatLoop {
 public:
  HeartbeatLoop(api::Agent::Stub& stub, std::string uuid, std::chrono::milliseconds period,
                std::chrono::milliseconds timeout, Console& console)
      : thread_([=, this, &stub, &console] {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, period, [this] { return stop_; })) {
            lock.unlock();
            grpc::ClientContext ctx;
            ctx.set_deadline(std::chrono::system_clock::now() + timeout);
            api::HeartbeatRequest req;
            req.set_uuid(uuid);
            api::HeartbeatResponse resp;
            auto st = stub.Heartbeat(&ctx, req, &resp);
            console.line(st.ok() ? "heartbeat sent"
                                 : "heartbeat failed: " + st.error_message() + " (continuing)");
            lock.lock();
          }
        }) {}
  ~HeartbeatLoop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

bool wipe_disks(const Inventory& inv, bool insecure, int parallel, Console& console) {
  WipeMode mode = insecure ? WipeMode::kFast : WipeMode::kFull;
  WipePlan plan = plan_wipe(inv.disks, mode);
  console.line(std::string("wipe: mode ") + (insecure ? "fast" : "full") + ", " +
               std::to_string(plan.devices.size()) + " disk(s), " + std::to_string(parallel) +
               " at once");
  for (const auto& s : plan.skipped) console.line("wipe: skip " + s.name + ": " + s.reason);
  for (const auto& d : plan.devices) {
    std::string ranges;
    for (const auto& r : d.ranges) {
      ranges += " [" + std::to_string(r.offset) + "+" + std::to_string(r.length) + "]";
    }
    console.line("wipe: plan " + d.name + " (" + human_bytes(d.size) + "):" + ranges);
  }
  // Progress at every 10% per disk: enough for a 10 TB disk, quiet for a small one.
  std::mutex mu;
  std::map<std::string, int> last_decile;
  auto progress = [&](const DeviceWipe& dev, std::uint64_t done, std::uint64_t total) {
    int decile = total ? static_cast<int>(done * 10 / total) : 10;
    std::lock_guard lock(mu);
    if (decile <= last_decile[dev.name]) return;
    last_decile[dev.name] = decile;
    console.line("wipe: " + dev.name + " " + std::to_string(decile * 10) + "% (" +
                 human_bytes(done) + " of " + human_bytes(total) + ")");
  };
  bool ok = true;
  for (const auto& r : wipe_all(plan, parallel, progress)) {
    if (r.ok) {
      console.line("wipe: " + r.name + " done, " + human_bytes(r.bytes) + " zeroed by " + r.method);
    } else {
      console.line("wipe: " + r.name + " FAILED: " + r.error);
      ok = false;
    }
  }
  return ok;
}

}  // namespace

RunResult run_agent(const RunSettings& s, Console& console) {
  RunResult result;
  console.line("ferrum-agent starting");
  std::string cmdline = read_file(s.cmdline_file, 8192);
  auto args = parse_agent_args(cmdline);
  if (!args) {
    console.line("bad kernel command line: " + args.error());
    return result;
  }
  result.reboot = args->reboot;
  console.line("registry " + args->endpoint + ", boot NIC " + args->mac);

  Inventory inv = read_inventory(s.root);
  std::string boot_if;
  for (const auto& n : inv.interfaces) {
    if (n.mac == args->mac) boot_if = n.name;
  }
  if (boot_if.empty()) {
    console.line("no interface has MAC " + args->mac + "; registering anyway");
  } else if (!s.dhcp_command.empty()) {
    std::string err;
    if (!set_link_up(boot_if, err)) console.line("link up " + boot_if + ": " + err);
    console.line("dhcp on " + boot_if);
    int rc = run_command(s.dhcp_command + " " + boot_if);
    if (rc != 0) console.line("dhcp on " + boot_if + " exited " + std::to_string(rc));
  }
  if (s.root == "/") {
    // Read again: DHCP changed flags and addresses.
    auto live = live_addresses();
    inv.interfaces = list_net_interfaces(s.root);
    for (auto& n : inv.interfaces) n.addresses = live[n.name];
  }
  if (!inv.smbios.error.empty()) console.line("smbios: " + inv.smbios.error + " (using dmi/id)");

  api::CreateServerRequest req;
  *req.mutable_hardware() = map_hardware(inv);
  std::string hostname = read_file(s.root / "proc/sys/kernel/hostname", 256);
  while (!hostname.empty() && (hostname.back() == '\n' || hostname.back() == ' '))
    hostname.pop_back();
  if (hostname != "(none)" && hostname != "localhost") req.set_hostname(hostname);
  const auto& hw = req.hardware();
  const std::string uuid = hw.system().uuid();
  console.line("system uuid=" + uuid + " manufacturer=\"" + hw.system().manufacturer() +
               "\" product=\"" + hw.system().product_name() + "\" serial=\"" +
               hw.system().serial_number() + "\"");
  console.line("compute " + std::to_string(hw.compute().processor_count()) + " socket(s), " +
               std::to_string(hw.compute().total_core_count()) + " cores, " +
               std::to_string(hw.compute().total_thread_count()) + " threads; memory " +
               std::to_string(hw.memory().total_size()) + " MB in " +
               std::to_string(hw.memory().module_count()) + " module(s)");
  for (const auto& d : hw.storage().devices()) {
    console.line("disk " + d.name() + " " + api::StorageType_Name(d.type()) + " " +
                 std::to_string(d.size()) + " bytes model=\"" + d.model() + "\" serial=\"" +
                 d.serial() + "\"");
  }
  for (const auto& n : hw.network().interfaces()) {
    std::string addrs;
    for (const auto& a : n.addresses()) addrs += " " + a;
    console.line("nic " + n.name() + " " + n.mac() + " " + n.flags() + addrs);
  }

  Registry registry(args->endpoint, s, console);
  api::CreateServerResponse resp;
  auto st = registry.retry("CreateServer", [&](grpc::ClientContext& ctx) {
    return registry.stub().CreateServer(&ctx, req, &resp);
  });
  if (!st.ok()) {
    console.line("CreateServer gave up: " + st.error_message());
    return result;
  }
  console.line("registered server " + uuid + ": wipe=" + (resp.wipe() ? "yes" : "no") +
               " insecure_wipe=" + (resp.insecure_wipe() ? "yes" : "no") +
               " setup_bmc=" + (resp.setup_bmc() ? "yes" : "no") + " reboot_timeout=" +
               std::to_string(static_cast<long long>(resp.reboot_timeout())) + "s");

  api::ReconcileServerAddressesRequest areq;
  areq.set_uuid(uuid);
  if (!req.hostname().empty()) {
    auto* a = areq.add_address();
    a->set_type("Hostname");
    a->set_address(req.hostname());
  }
  for (const auto& n : hw.network().interfaces()) {
    if (n.name() != boot_if) continue;
    for (const auto& cidr : n.addresses()) {
      auto* a = areq.add_address();
      a->set_type("InternalIP");
      a->set_address(cidr.substr(0, cidr.find('/')));
    }
  }
  if (areq.address_size() > 0) {
    api::ReconcileServerAddressesResponse aresp;
    auto ast = registry.retry("ReconcileServerAddresses", [&](grpc::ClientContext& ctx) {
      return registry.stub().ReconcileServerAddresses(&ctx, areq, &aresp);
    });
    console.line(ast.ok() ? "addresses reported (" + std::to_string(areq.address_size()) + ")"
                          : "addresses not reported: " + ast.error_message());
  }

  bool ok = true;
  if (resp.wipe()) {
    auto period =
        std::chrono::milliseconds(static_cast<long long>(resp.reboot_timeout() * 1000.0 / 3.0));
    if (period < std::chrono::seconds(1)) period = std::chrono::seconds(1);
    bool wiped = false;
    {
      HeartbeatLoop heartbeat(registry.stub(), uuid, period, s.call_timeout, console);
      wiped = wipe_disks(inv, resp.insecure_wipe(), args->wipe_parallel, console);
    }
    if (wiped) {
      api::MarkServerAsWipedRequest wreq;
      wreq.set_uuid(uuid);
      api::MarkServerAsWipedResponse wresp;
      auto wst = registry.retry("MarkServerAsWiped", [&](grpc::ClientContext& ctx) {
        return registry.stub().MarkServerAsWiped(&ctx, wreq, &wresp);
      });
      console.line(wst.ok() ? "marked as wiped"
                            : "MarkServerAsWiped failed: " + wst.error_message());
      ok = wst.ok();
    } else {
      console.line("wipe failed: not marking the server as wiped");
      ok = false;
    }
  } else if (resp.reboot_timeout() == 0 && !resp.setup_bmc()) {
    console.line("server not accepted yet: nothing to do (kubectl patch server " + uuid +
                 " --type=merge -p '{\"spec\":{\"accepted\":true}}')");
  } else {
    console.line("server is clean: no wipe");
  }

  if (resp.setup_bmc()) {
    if (!std::filesystem::exists(s.ipmi_device)) {
      console.line("bmc: no " + s.ipmi_device + ", skipping BMC setup");
    } else {
      auto ipmi = FreeIpmiInband::open(s.ipmi_device);
      if (!ipmi) {
        console.line("bmc: " + ipmi.error() + " (skipping, not fatal)");
      } else {
        auto creds = setup_bmc_user(**ipmi, s.bmc_user, random_password());
        if (!creds) {
          console.line("bmc: setup failed: " + creds.error() + " (not fatal)");
        } else {
          console.line("bmc: user " + creds->user + " (id " + std::to_string(creds->user_id) +
                       (creds->reused ? ", reused" : ", created") + ") on channel " +
                       std::to_string(creds->channel) + ", address " + creds->ip);
          if (creds->ip.empty() || creds->ip == "0.0.0.0") {
            console.line("bmc: the LAN channel has no IPv4 address (" +
                         (creds->ip.empty() ? std::string("none") : creds->ip) +
                         "); reporting it anyway, set spec.bmc.endpoint by hand");
          }
          api::UpdateBMCInfoRequest breq;
          breq.set_uuid(uuid);
          auto* info = breq.mutable_bmc_info();
          info->set_ip(creds->ip);
          info->set_port(creds->port);
          info->set_user(creds->user);
          info->set_pass(creds->pass);
          api::UpdateBMCInfoResponse bresp;
          auto bst = registry.retry("UpdateBMCInfo", [&](grpc::ClientContext& ctx) {
            return registry.stub().UpdateBMCInfo(&ctx, breq, &bresp);
          });
          console.line(bst.ok()
                           ? "bmc: credentials reported"
                           : "bmc: UpdateBMCInfo failed: " + bst.error_message() + " (not fatal)");
        }
      }
    }
  }
  result.outcome = ok ? RunOutcome::kDone : RunOutcome::kFailed;
  console.line(ok ? "done" : "finished with errors");
  return result;
}

}  // namespace ferrum::agent
