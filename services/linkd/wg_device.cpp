#include "wg_device.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "netlink_socket.hpp"

extern char** environ;

namespace ferrum::linkd {

namespace {

using Clock = std::chrono::steady_clock;

// Link up and prefix::1/64 on the interface, over rtnetlink.
std::string bring_up(const std::string& ifname, const siderolink::Ipv6Bytes& addr,
                     std::chrono::milliseconds timeout) {
  unsigned index = if_nametoindex(ifname.c_str());
  if (index == 0) return fmt::format("interface {}: {}", ifname, std::strerror(errno));
  auto sock = nl::Socket::open(NETLINK_ROUTE, timeout);
  if (!sock) return sock.error();
  auto& s = **sock;
  auto r = s.transact({nl::rtnl_add_address6(s.next_seq(), static_cast<int>(index), addr, 64)});
  if (!r) return r.error();
  if (*r != 0 && *r != EEXIST) {
    return fmt::format("adding {}/64 to {}: {}", siderolink::format_ipv6(addr), ifname,
                       std::strerror(*r));
  }
  r = s.transact({nl::rtnl_set_up(s.next_seq(), static_cast<int>(index))});
  if (!r) return r.error();
  if (*r != 0) return fmt::format("setting {} up: {}", ifname, std::strerror(*r));
  return {};
}

class KernelDevice final : public WgDevice {
 public:
  KernelDevice(std::unique_ptr<nl::Socket> sock, std::uint16_t family, std::string ifname)
      : sock_(std::move(sock)), family_(family), ifname_(std::move(ifname)) {}

  std::string apply(const DeviceChange& change) override {
    auto msgs = nl::wg_set_device(family_, sock_->next_seq(), ifname_, change);
    if (!msgs) return msgs.error();
    // wg_set_device numbered the messages from one seq; keep ours ahead of them.
    for (std::size_t i = 1; i < msgs->size(); ++i) sock_->next_seq();
    auto r = sock_->transact(*msgs);
    if (!r) return r.error();
    if (*r != 0) return fmt::format("WG_CMD_SET_DEVICE on {}: {}", ifname_, std::strerror(*r));
    return {};
  }

  Expected<DeviceStatus, std::string> status() override {
    DeviceStatus st;
    std::string parse_error;
    auto err = sock_->dump(nl::wg_get_device(family_, sock_->next_seq(), ifname_),
                           [&](const std::uint8_t* d, std::size_t n) -> std::string {
                             auto r = nl::parse_wg_device(d, n, st);
                             return r ? std::string() : r.error();
                           });
    if (!err.empty()) return unexpected(err);
    return st;
  }

  std::string backend() const override { return "kernel"; }

 private:
  std::unique_ptr<nl::Socket> sock_;
  std::uint16_t family_;
  std::string ifname_;
};

Expected<std::uint16_t, std::string> wireguard_family(nl::Socket& s) {
  std::uint16_t id = 0;
  auto err = s.request(nl::genl_get_family(s.next_seq(), "wireguard"),
                       [&id](const std::uint8_t* d, std::size_t n) -> std::string {
                         auto r = nl::parse_genl_family_id(d, n);
                         if (!r) return r.error();
                         id = *r;
                         return {};
                       });
  if (!err.empty()) {
    return unexpected("the kernel has no WireGuard (generic netlink family \"wireguard\": " + err +
                      ")");
  }
  return id;
}

Expected<std::unique_ptr<WgDevice>, std::string> open_kernel(const WgDeviceOptions& o) {
  auto gen = nl::Socket::open(NETLINK_GENERIC, o.timeout);
  if (!gen) return unexpected(gen.error());
  auto family = wireguard_family(**gen);
  if (!family) return unexpected(family.error());
  {
    auto rt = nl::Socket::open(NETLINK_ROUTE, o.timeout);
    if (!rt) return unexpected(rt.error());
    auto r = (*rt)->transact({nl::rtnl_new_link((*rt)->next_seq(), o.interface_name, "wireguard")});
    if (!r) return unexpected(r.error());
    if (*r != 0 && *r != EEXIST) {
      return unexpected(
          fmt::format("creating WireGuard interface {}: {}", o.interface_name, std::strerror(*r)));
    }
  }
  auto dev = std::make_unique<KernelDevice>(std::move(*gen), *family, o.interface_name);
  DeviceChange init;
  init.private_key = o.private_key;
  init.listen_port = o.listen_port;
  if (auto e = dev->apply(init); !e.empty()) return unexpected(e);
  if (auto e = bring_up(o.interface_name, o.server_address, o.timeout); !e.empty()) {
    return unexpected(e);
  }
  return std::unique_ptr<WgDevice>(std::move(dev));
}

class UserspaceDevice final : public WgDevice {
 public:
  UserspaceDevice(pid_t pid, UapiClient client, log::Logger log)
      : pid_(pid), client_(std::move(client)), log_(std::move(log)) {}

  ~UserspaceDevice() override { stop(); }

  std::string apply(const DeviceChange& change) override {
    auto req = render_set(change);
    if (!req) return req.error();
    auto reply = client_.exchange(*req);
    if (!reply) return reply.error();
    return check_set_reply(*reply);
  }

  Expected<DeviceStatus, std::string> status() override {
    auto reply = client_.exchange(std::string(kGetRequest));
    if (!reply) return unexpected(reply.error());
    return parse_get(*reply);
  }

  std::string backend() const override { return "userspace"; }

  // SIGTERM, then SIGKILL after 3 s: wireguard-go removes its interface and socket on exit.
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    auto deadline = Clock::now() + std::chrono::seconds(3);
    int st = 0;
    while (waitpid(pid_, &st, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        log_.warn("wireguard-go did not stop; killing it", {{"pid", pid_}});
        kill(pid_, SIGKILL);
        waitpid(pid_, &st, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
  }

 private:
  pid_t pid_;
  UapiClient client_;
  log::Logger log_;
};

Expected<std::unique_ptr<WgDevice>, std::string> open_userspace(const WgDeviceOptions& o,
                                                                const log::Logger& log) {
  std::string sock_path = uapi_socket_path(o.interface_name);
  struct stat sb {};
  if (stat(sock_path.c_str(), &sb) == 0) {
    // A socket nobody answers on is left over from a killed wireguard-go: remove it.
    UapiClient probe(sock_path, std::chrono::milliseconds(500));
    if (probe.exchange(std::string(kGetRequest))) {
      return unexpected(fmt::format("interface {} is already run by another wireguard-go ({})",
                                    o.interface_name, sock_path));
    }
    unlink(sock_path.c_str());
  }
  std::vector<std::string> args = {o.wireguard_go, o.interface_name};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_store;
  for (char** e = environ; *e != nullptr; ++e) env_store.emplace_back(*e);
  env_store.emplace_back("WG_PROCESS_FOREGROUND=1");
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  // Its own chatter goes to our stderr; stdout stays ours (node log lines may go there).
  posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);  // a terminal's Ctrl-C goes to linkd, which stops it
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, o.wireguard_go.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return unexpected(
        fmt::format("--wireguard-go {}: cannot start: {}", o.wireguard_go, std::strerror(rc)));
  }
  auto dev = std::make_unique<UserspaceDevice>(pid, UapiClient(sock_path, o.timeout),
                                               log.child("wireguard-go"));
  log.info("wireguard-go started", {{"pid", pid}, {"interface", o.interface_name}});
  auto deadline = Clock::now() + o.timeout;
  while (true) {
    int st = 0;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      return unexpected(fmt::format(
          "wireguard-go exited during start-up ({}; can it create a TUN device in this network "
          "namespace? is /dev/net/tun there?)",
          WIFEXITED(st) ? "status " + std::to_string(WEXITSTATUS(st))
                        : "signal " + std::to_string(WTERMSIG(st))));
    }
    if (stat(sock_path.c_str(), &sb) == 0 && dev->status()) break;
    if (Clock::now() > deadline) {
      return unexpected("wireguard-go did not open " + sock_path + " in time");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  DeviceChange init;
  init.private_key = o.private_key;
  init.listen_port = o.listen_port;
  if (auto e = dev->apply(init); !e.empty()) return unexpected(e);
  if (auto e = bring_up(o.interface_name, o.server_address, o.timeout); !e.empty()) {
    return unexpected(e);
  }
  return std::unique_ptr<WgDevice>(std::move(dev));
}

}  // namespace

std::string uapi_socket_path(const std::string& interface_name) {
  return "/var/run/wireguard/" + interface_name + ".sock";
}

std::string kernel_wireguard_missing() {
  auto gen = nl::Socket::open(NETLINK_GENERIC, std::chrono::milliseconds(2000));
  if (!gen) return gen.error();
  auto family = wireguard_family(**gen);
  return family ? std::string() : family.error();
}

Expected<std::unique_ptr<WgDevice>, std::string> open_wg_device(const WgDeviceOptions& o,
                                                                const log::Logger& log) {
  if (o.backend == "kernel") return open_kernel(o);
  if (o.backend == "userspace") return open_userspace(o, log);
  if (auto why = kernel_wireguard_missing(); why.empty())
    return open_kernel(o);
  else
    log.info("using wireguard-go", {{"reason", why}});
  return open_userspace(o, log);
}

Expected<std::string, std::string> UapiClient::exchange(const std::string& request) const {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return unexpected(fmt::format("UAPI socket: {}", std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof addr.sun_path) return unexpected("UAPI path too long: " + path_);
  std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return unexpected(fmt::format("UAPI {}: {}", path_, std::strerror(errno)));
  }
  timeval tv{};
  tv.tv_sec = timeout_.count() / 1000;
  tv.tv_usec = (timeout_.count() % 1000) * 1000;
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return unexpected(fmt::format("UAPI {} write: {}", path_, std::strerror(errno)));
    }
    sent += static_cast<std::size_t>(n);
  }
  constexpr std::size_t kMaxReply = 64u << 20;  // ~200,000 peers
  std::string reply;
  char buf[65536];
  auto deadline = Clock::now() + timeout_;
  while (!reply_complete(reply)) {
    if (Clock::now() > deadline) return unexpected("UAPI " + path_ + ": reply timed out");
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unexpected(fmt::format("UAPI {} read: {}", path_, std::strerror(errno)));
    if (n == 0) return unexpected("UAPI " + path_ + ": closed before the reply ended");
    reply.append(buf, static_cast<std::size_t>(n));
    if (reply.size() > kMaxReply) return unexpected("UAPI " + path_ + ": reply too large");
  }
  return reply;
}

}  // namespace ferrum::linkd
