#include "node_run.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <netdb.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "config_url.hpp"
#include "events.grpc.pb.h"
#include "ferrum/talos_kernel_args.hpp"
#include "install_image.hpp"
#include "kernel_cmdline.hpp"
#include "kmsg_record.hpp"
#include "machine_config.hpp"
#include "machine_events.pb.h"
#include "node_events.hpp"
#include "provision.grpc.pb.h"
#include "siderolink_endpoint.hpp"
#include "wg_key.hpp"

namespace ferrum::talos_node {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Talos' machined logs through the kernel log with a "[talos]" prefix
// (internal/app/machined/main.go, kmsg.SetupLogger), so its lines reach the console and the
// kmsg stream alike. Writes to /dev/kmsg are rate-limited unless printk.devkmsg=on (one of
// Talos' default args): without it the peer writes the console itself as well.
bool g_devkmsg_on = false;

void say(const std::string& msg) {
  std::string line = "[talos] " + msg + "\n";
  int fd = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
  bool logged = fd >= 0 && ::write(fd, line.data(), line.size()) > 0;
  if (fd >= 0) ::close(fd);
  if (!logged || !g_devkmsg_on) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

[[noreturn]] void final_reboot(bool reboot_enabled, int cmd) {
  ::sync();
  if (reboot_enabled) ::reboot(cmd);
  for (;;) std::this_thread::sleep_for(1h);
}

// main.go handle(): a failed sequence is logged, then "rebooting in N seconds" from 10 to 0,
// then a restart; panic=0 on the command line sleeps forever instead.
[[noreturn]] void fail_boot(const NodeSettings& s, const std::vector<std::string>& words,
                            const std::string& err) {
  say(err);
  if (cmdline_value(words, "panic") == std::optional<std::string>("0")) {
    say("panic=0 kernel flag found, sleeping forever");
    final_reboot(false, 0);
  }
  for (int i = 10; i >= 0; --i) {
    say(fmt::format("rebooting in {} seconds", i));
    std::this_thread::sleep_for(1s);
  }
  final_reboot(s.reboot, RB_AUTOBOOT);
}

std::string first_nic(const std::string& net_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(net_dir, ec)) {
    auto n = e.path().filename().string();
    if (n != "lo" && n.rfind("siderolink", 0) != 0) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  return names.empty() ? std::string() : names.front();
}

int run_command(const std::vector<std::string>& argv) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Addresses of the machine for AddressEvent (network/address_event.go: the node's current
// addresses, without prefix lengths).
std::vector<std::string> interface_addresses(const std::string& ip) {
  std::vector<std::string> out;
  int pipefd[2];
  if (::pipe(pipefd) != 0) return out;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    ::close(pipefd[0]);
    ::execl(ip.c_str(), ip.c_str(), "-o", "addr", "show", "scope", "global", nullptr);
    ::_exit(127);
  }
  ::close(pipefd[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0)
    text.append(buf, static_cast<std::size_t>(n));
  ::close(pipefd[0]);
  ::waitpid(pid, nullptr, 0);
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto words = split_cmdline(line);
    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
      if (words[i] == "inet" || words[i] == "inet6") {
        out.push_back(words[i + 1].substr(0, words[i + 1].find('/')));
      }
    }
  }
  return out;
}

// go-retry's exponential backoff with one-second units and jitter, capped.
std::chrono::milliseconds backoff(int attempt, std::chrono::milliseconds cap) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  auto base = std::chrono::milliseconds(1000LL << std::min(attempt, 10));
  auto jitter = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 999)(rng));
  return std::min(base + jitter, cap);
}

// ---- config download (pkg/download/download.go) ----

size_t curl_write(char* ptr, size_t size, size_t n, void* userdata) {
  auto* body = static_cast<std::string*>(userdata);
  constexpr std::size_t kMaxConfigBytes = 16 * 1024 * 1024;
  if (body->size() + size * n > kMaxConfigBytes) return 0;
  body->append(ptr, size * n);
  return size * n;
}

// One attempt: anything but a 200 is an error to retry (download.go: ExpectedErrorf on any
// other status, with up to 32 bytes of the body); redirects are followed like Go's client.
std::optional<std::string> download_once(const std::string& url, std::string& err) {
  CURL* c = curl_easy_init();
  std::string body;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);  // Go's http.Client stops after 10
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 90L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  if (rc != CURLE_OK) {
    err = curl_easy_strerror(rc);
    return std::nullopt;
  }
  if (status != 200) {
    err = fmt::format("failed to download config, status code {}, body \"{}\"", status,
                      body.substr(0, 32));
    return std::nullopt;
  }
  return body;
}

// ---- event sink (internal/app/machined/pkg/controllers/runtime/events_sink.go) ----

// 20 characters of base32hex like the xid IDs Talos gives its events.
std::string event_id() {
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuv";
  std::string id;
  for (int i = 0; i < 20; ++i) id += kAlphabet[rng() % 32];
  return id;
}

// Events queue up from boot; once the sink is known they are sent in order, each retried until
// the sink takes it (linkd refuses events from a node it does not know yet, so Talos resends).
//
// Talos keeps its connections once made. The peer opens them again when the SideroLink comes
// up (`link_generation` changes): a lab host that owns the tunnel address answers it on the LAN
// too (RA gives the node a default route), and a connection made there before the tunnel
// existed would stay outside it, from an address ferrum-linkd does not know.
class EventPublisher {
 public:
  explicit EventPublisher(const std::atomic<int>& link_generation)
      : link_generation_(link_generation) {}
  void publish(const google::protobuf::Any& ev) {
    std::lock_guard lk(mu_);
    if (queue_.size() >= 4096) queue_.pop_front();
    queue_.push_back(ev);
    cv_.notify_all();
  }
  void start(const std::string& endpoint) {
    std::lock_guard lk(mu_);
    if (started_) return;
    started_ = true;
    say("event sink: " + endpoint);
    thread_ = std::thread([this, endpoint] { loop(endpoint); });
    thread_.detach();
  }
  // Waits until everything queued was delivered, up to `limit`.
  bool drain(std::chrono::seconds limit) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, limit, [this] { return started_ && queue_.empty() && !in_flight_; });
  }

 private:
  void loop(const std::string& endpoint) {
    int generation = -1;
    std::unique_ptr<events::EventSinkService::Stub> stub;
    int attempt = 0;
    for (;;) {
      if (generation != link_generation_.load()) {
        generation = link_generation_.load();
        stub = events::EventSinkService::NewStub(
            grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials()));
      }
      google::protobuf::Any ev;
      {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [this] { return !queue_.empty(); });
        ev = queue_.front();
        in_flight_ = true;
      }
      events::EventRequest req;
      *req.mutable_data() = ev;
      req.set_id(event_id());
      req.set_actor_id("");
      events::EventResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + 10s);
      auto st = stub->Publish(&ctx, req, &resp);
      std::unique_lock lk(mu_);
      in_flight_ = false;
      if (st.ok()) {
        queue_.pop_front();
        attempt = 0;
        cv_.notify_all();
        continue;
      }
      if (attempt == 0 || attempt % 10 == 0) {
        say(fmt::format("event sink: {} not delivered: {}", ev.type_url(), st.error_message()));
      }
      lk.unlock();
      std::this_thread::sleep_for(backoff(attempt++, 5000ms));
    }
  }

  const std::atomic<int>& link_generation_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<google::protobuf::Any> queue_;
  bool started_ = false;
  bool in_flight_ = false;
  std::thread thread_;
};

// ---- kernel log (kmsg_log.go + logging/sender_jsonlines.go) ----

struct HostPort {
  std::string host, port;
};
std::optional<HostPort> split_host_port(std::string_view hp) {
  if (hp.empty()) return std::nullopt;
  if (hp.front() == '[') {
    auto close = hp.find(']');
    if (close == std::string_view::npos || close + 2 > hp.size() || hp[close + 1] != ':') {
      return std::nullopt;
    }
    return HostPort{std::string(hp.substr(1, close - 1)), std::string(hp.substr(close + 2))};
  }
  auto colon = hp.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return HostPort{std::string(hp.substr(0, colon)), std::string(hp.substr(colon + 1))};
}

int connect_tcp(const HostPort& hp) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(hp.host.c_str(), hp.port.c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (auto* ai = res; ai != nullptr; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  return fd;
}

bool send_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

// Streams every kernel log record since boot to `url` (tcp:// only, as Ferrum serves it).
// Reconnects when the SideroLink comes up, like EventPublisher.
void start_kmsg_stream(const std::string& url, const std::atomic<int>& link_generation) {
  if (url.rfind("tcp://", 0) != 0) {
    say("kmsg log: only tcp:// is supported by the peer: " + url);
    return;
  }
  auto hp = split_host_port(std::string_view(url).substr(6, url.find('/', 6) - 6));
  if (!hp) {
    say("kmsg log: bad url " + url);
    return;
  }
  say("kmsg log: streaming to " + url);
  std::thread([hp = *hp, &link_generation] {
    auto now_real = std::chrono::system_clock::now().time_since_epoch();
    timespec mono{};
    ::clock_gettime(CLOCK_MONOTONIC, &mono);
    std::int64_t boot_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now_real).count() -
                           (static_cast<std::int64_t>(mono.tv_sec) * 1000000000 + mono.tv_nsec);
    int kfd = ::open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
    if (kfd < 0) return;
    int sock = -1;
    int generation = link_generation.load();
    std::string pending;
    char buf[8192];
    for (;;) {
      if (pending.empty()) {
        ssize_t n = ::read(kfd, buf, sizeof buf);
        if (n < 0) {
          if (errno == EPIPE) continue;  // overwritten records: go on with the next
          std::this_thread::sleep_for(100ms);
          continue;
        }
        auto rec = parse_kmsg_record(std::string_view(buf, static_cast<std::size_t>(n)));
        if (!rec) continue;
        pending = kmsg_json_line(*rec, boot_ns);
      }
      if (sock >= 0 && generation != link_generation.load()) {
        ::close(sock);
        sock = -1;
      }
      if (sock < 0) {
        generation = link_generation.load();
        sock = connect_tcp(hp);
        if (sock < 0) {
          std::this_thread::sleep_for(1s);
          continue;
        }
      }
      if (send_all(sock, pending)) {
        pending.clear();
      } else {
        ::close(sock);
        sock = -1;
        std::this_thread::sleep_for(1s);
      }
    }
  }).detach();
}

// ---- SideroLink (controllers/siderolink/manager.go) ----

std::string uapi_request(const std::string& sock_path, const std::string& req) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return "connect failed";
  }
  send_all(fd, req);
  std::string reply;
  char buf[1024];
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    reply.append(buf, static_cast<std::size_t>(n));
    if (reply.find("\n\n") != std::string::npos) break;
  }
  ::close(fd);
  return reply;
}

struct Link {
  std::string node_address;  // without prefix length
};

std::optional<Link> bring_up_siderolink(const NodeSettings& s, const std::string& api,
                                        const std::string& uuid) {
  auto ep = parse_siderolink_endpoint(api);
  if (!ep) {
    say("siderolink: failed to parse siderolink API endpoint: " + api);
    return std::nullopt;
  }
  if (ep->tunnel) {
    // WireGuard over gRPC (wireguard_over_grpc=true in the request) is not in the peer.
    say("siderolink: grpc_tunnel is not supported by the test peer; using plain WireGuard");
  }
  auto priv = linkd::generate_private_key();
  auto pub = linkd::public_key_of(priv);
  // A UniqueMachineToken lives in META on real Talos; the peer makes one per boot.
  std::string unique_token = event_id();
  sidero::link::ProvisionResponse resp;
  auto creds = ep->insecure ? grpc::InsecureChannelCredentials()
                            : grpc::SslCredentials(grpc::SslCredentialsOptions());
  auto stub = sidero::link::ProvisionService::NewStub(grpc::CreateChannel(ep->host, creds));
  for (int attempt = 0;; ++attempt) {
    sidero::link::ProvisionRequest req;
    req.set_node_uuid(uuid);
    req.set_node_public_key(pub.base64());
    req.set_node_unique_token(unique_token);
    req.set_talos_version(s.talos_version);
    if (!ep->join_token.empty()) req.set_join_token(ep->join_token);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 15s);
    auto st = stub->Provision(&ctx, req, &resp);
    if (st.ok()) break;
    say(fmt::format("siderolink: error provisioning: {} (attempt {})", st.error_message(),
                    attempt + 1));
    std::this_thread::sleep_for(backoff(attempt, 30000ms));
  }
  if (resp.server_endpoint().empty()) {
    say("siderolink: host returned no endpoints");
    return std::nullopt;
  }
  auto server_key = linkd::parse_key_base64(resp.server_public_key());
  if (!server_key) {
    say("siderolink: bad server public key " + resp.server_public_key());
    return std::nullopt;
  }
  const std::string& endpoint = resp.server_endpoint(0);
  say(fmt::format(
      "siderolink: configuring siderolink connection peer_endpoint={} node={} server={}", endpoint,
      resp.node_address_prefix(), resp.server_address()));

  const std::string ifname = "siderolink";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("WG_PROCESS_FOREGROUND", "1", 1);
    ::execl(s.wireguard_go.c_str(), s.wireguard_go.c_str(), ifname.c_str(), nullptr);
    ::_exit(127);
  }
  std::string sock = "/var/run/wireguard/" + ifname + ".sock";
  for (int i = 0; i < 100 && !fs::exists(sock); ++i) std::this_thread::sleep_for(100ms);
  // wireguard-go resolves nothing: the endpoint must be an IP literal with a port.
  std::string uapi = "set=1\nprivate_key=" + priv.hex() +
                     "\nreplace_peers=true\npublic_key=" + server_key->hex() +
                     "\nendpoint=" + endpoint +
                     "\npersistent_keepalive_interval=25\nreplace_allowed_ips=true\n"
                     "allowed_ip=" +
                     resp.server_address() + "/128\n\n";
  std::string reply = uapi_request(sock, uapi);
  if (reply.find("errno=0") == std::string::npos) {
    say("siderolink: wireguard-go refused the configuration: " + reply);
    return std::nullopt;
  }
  // manager.go: address = node_address_prefix on the link, peer AllowedIPs = server /128,
  // keepalive constants.SideroLinkDefaultPeerKeepalive (25 s), MTU wireguard.LinkMTU (1280,
  // siderolabs/siderolink pkg/wireguard/wireguard.go).
  run_command({s.ip_command, "link", "set", ifname, "mtu", "1280", "up"});
  if (run_command({s.ip_command, "-6", "addr", "add", resp.node_address_prefix(), "dev", ifname}) !=
      0) {
    say("siderolink: could not add " + resp.node_address_prefix());
  }
  std::string addr = resp.node_address_prefix().substr(0, resp.node_address_prefix().find('/'));
  return Link{addr};
}

}  // namespace

int run_node(const NodeSettings& s) {
  auto words = split_cmdline(read_file(s.cmdline_path));
  g_devkmsg_on = cmdline_value(words, "printk.devkmsg") == std::optional<std::string>("on");

  // Initialize sequence, phase systemRequirements, task 1 of 7: EnforceKSPPRequirements
  // (v1alpha1_sequencer.go Initialize, v1alpha1_sequencer_tasks.go, pkg/kernel/kspp/kspp.go).
  auto refusal = kspp_refusal(words);
  if (!refusal.empty()) {
    for (std::size_t i = 0; i + 1 < refusal.size(); ++i) say(refusal[i]);
    fail_boot(s, words, refusal.back());
  }

  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::string nic;
  for (int i = 0; i < 100 && nic.empty(); ++i) {
    nic = first_nic(s.net_dir);
    if (nic.empty()) std::this_thread::sleep_for(100ms);
  }
  if (nic.empty()) fail_boot(s, words, "network: no interface besides lo");
  // Talos' network controllers run DHCP on every link; the peer on the first one.
  auto dhcp = split_cmdline(s.dhcp_command);
  dhcp.push_back(nic);
  for (int attempt = 0; !s.dhcp_command.empty() && run_command(dhcp) != 0; ++attempt) {
    say("network: no DHCP lease on " + nic + " yet");
    std::this_thread::sleep_for(backoff(attempt, 10000ms));
  }
  UrlValues values;
  auto dmi = [&](const char* f) -> std::optional<std::string> {
    auto v = read_file(s.dmi_dir + "/" + f);
    if (v.empty()) return std::nullopt;
    return v;
  };
  values.uuid = dmi("product_uuid");
  values.serial = dmi("product_serial");
  if (!nic.empty()) values.mac = read_file(s.net_dir + "/" + nic + "/address");
  char hn[256] = {};
  ::gethostname(hn, sizeof hn - 1);
  values.hostname = std::string(hn);
  if (values.hostname->empty() || *values.hostname == "(none)") {
    // Talos names a machine without a configured hostname "talos-" plus a stable suffix.
    std::string mac = values.mac.value_or("000000");
    mac.erase(std::remove(mac.begin(), mac.end(), ':'), mac.end());
    values.hostname = "talos-" + mac.substr(mac.size() > 6 ? mac.size() - 6 : 0);
    ::sethostname(values.hostname->data(), values.hostname->size());
  }
  std::string uuid = values.uuid.value_or("");
  say(fmt::format("node: uuid={} serial={} nic={} mac={} hostname={}", uuid,
                  values.serial.value_or(""), nic, values.mac.value_or(""), *values.hostname));

  // Lives as long as the process: run_node never returns while the threads run.
  static std::atomic<int> link_generation{0};
  EventPublisher events(link_generation);
  auto address_event = [&] {
    machine::AddressEvent ev;
    ev.set_hostname(*values.hostname);
    for (const auto& a : interface_addresses(s.ip_command)) ev.add_addresses(a);
    events.publish(pack_event(ev));
  };
  // The SideroLink comes up beside the config download, as Talos' controllers run side by
  // side; a new AddressEvent follows the link address.
  std::atomic<bool> link_started{false};
  auto start_link = [&](const std::string& api) {
    if (link_started.exchange(true)) return;
    std::thread([&s, &address_event, api, uuid] {
      if (bring_up_siderolink(s, api, uuid)) {
        ++link_generation;
        address_event();
      }
    }).detach();
  };
  if (auto api = cmdline_value(words, talos::kArgSideroLinkApi)) start_link(*api);
  if (auto sink = cmdline_value(words, talos::kArgEventsSink)) events.start(*sink);
  bool kmsg_started = false;
  if (auto kl = cmdline_value(words, talos::kArgLoggingKernel)) {
    start_kmsg_stream(*kl, link_generation);
    kmsg_started = true;
  }
  address_event();

  auto config_arg = cmdline_value(words, talos::kArgConfig);
  if (!config_arg || config_arg->empty() || *config_arg == "none") {
    fail_boot(s, words, "talos.config is not set: the peer has no maintenance mode");
  }

  // controllers/config/acquire.go: download (platform/metal/metal.go + pkg/download), load,
  // validate; a failure publishes ConfigLoadErrorEvent and the controller is restarted.
  NodeConfig cfg;
  for (int round = 0;; ++round) {
    std::string body;
    for (int attempt = 0;; ++attempt) {
      std::string url = populate_config_url(*config_arg, values);
      say(fmt::format("fetching machine config from: \"{}\"", url));
      std::string err;
      if (auto got = download_once(url, err)) {
        body = std::move(*got);
        break;
      }
      say(fmt::format("failed to download config from \"{}\": {}", *config_arg, err));
      std::this_thread::sleep_for(backoff(attempt, 30000ms));
    }
    auto loaded = load_machine_config(body, [](const std::string& d) {
      struct stat st {};
      return !d.empty() && ::stat(d.c_str(), &st) == 0;
    });
    if (auto* ok = std::get_if<NodeConfig>(&loaded)) {
      cfg = std::move(*ok);
      break;
    }
    const auto& e = std::get<ConfigError>(loaded);
    say("config: " + e.message);
    machine::ConfigLoadErrorEvent ev;
    ev.set_error(e.message);
    events.publish(pack_event(ev));
    std::this_thread::sleep_for(backoff(round + 3, 60000ms));
  }
  std::string labels;
  for (const auto& [k, v] : cfg.labels) labels += (labels.empty() ? "" : ",") + k + "=" + v;
  say(fmt::format("config: loaded; install disk {}, node labels {}", cfg.install_disk, labels));

  // Documents of the config stand in for command-line arguments that were missing.
  if (!cfg.siderolink_api_url.empty()) start_link(cfg.siderolink_api_url);
  if (!cfg.event_sink_endpoint.empty()) events.start(cfg.event_sink_endpoint);
  if (!kmsg_started && !cfg.kmsg_log_urls.empty())
    start_kmsg_stream(cfg.kmsg_log_urls.front(), link_generation);

  // Sequencer.Install has no phases on a machine that is installed (and not staged): the
  // sequence starts and stops empty, then Sequencer.Boot runs (v1alpha1_sequencer.go). The
  // peer reports the boot sequence's start and stop, then stays up streaming its logs.
  std::string head(4096, '\0');
  if (int fd = ::open(cfg.install_disk.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
    head.resize(
        static_cast<std::size_t>(std::max<ssize_t>(0, ::pread(fd, head.data(), head.size(), 0))));
    ::close(fd);
  }
  if (holds_install_image(head, uuid)) {
    say("install: " + cfg.install_disk + " already holds this node's image, booting");
    for (const char* seq : {"install", "boot"}) {
      for (auto action : {machine::SequenceEvent::START, machine::SequenceEvent::STOP}) {
        machine::SequenceEvent ev;
        ev.set_sequence(seq);
        ev.set_action(action);
        events.publish(pack_event(ev));
      }
    }
    say("boot: the node is up");
    for (;;) std::this_thread::sleep_for(1h);
  }

  bool rebooting = run_install_sequence(
      [&](const std::string& task) -> std::optional<std::string> {
        say("task " + task + ": starting");
        if (task != "install") return std::nullopt;
        std::string image = install_image(uuid, cfg.install_disk, cfg.labels);
        int fd = ::open(cfg.install_disk.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) return fmt::format("open {}: {}", cfg.install_disk, std::strerror(errno));
        bool ok = ::pwrite(fd, image.data(), image.size(), 0) == static_cast<ssize_t>(image.size());
        ok = ::fsync(fd) == 0 && ok;
        ::close(fd);
        if (!ok) return fmt::format("write {}: {}", cfg.install_disk, std::strerror(errno));
        say(fmt::format("install: wrote {} bytes to {}", image.size(), cfg.install_disk));
        return std::nullopt;
      },
      [&](const google::protobuf::Any& ev) { events.publish(ev); });
  if (!events.drain(60s)) say("event sink: not every event was delivered before the reboot");
  if (!rebooting) fail_boot(s, words, "install sequence failed");
  say("install: done, rebooting");
  final_reboot(s.reboot, RB_AUTOBOOT);
}

}  // namespace ferrum::talos_node
