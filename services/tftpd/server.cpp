#include "server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <optional>
#include <queue>
#include <unordered_map>

#include "ferrum/net.hpp"
#include "file_cache.hpp"
#include "options.hpp"
#include "packet.hpp"
#include "path_resolver.hpp"
#include "transfer.hpp"
#include "unique_fd.hpp"

namespace ferrum::tftp {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kBatch = 64;          // datagrams per sendmmsg / receive round
constexpr std::size_t kRecvBuffer = 65536;  // any UDP datagram
constexpr int kSocketBuffer = 4 << 20;      // SO_SNDBUF/SO_RCVBUF asked for

// Tags in the low bits of epoll data.
constexpr std::uint64_t kTagListen = 0;
constexpr std::uint64_t kTagWake = 1;
constexpr std::uint64_t kTagTransfer = 2;

std::uint64_t epoll_key(std::uint64_t tag, std::uint32_t index, std::uint32_t gen) {
  return (static_cast<std::uint64_t>(gen) << 32) | (static_cast<std::uint64_t>(index) << 2) | tag;
}

// A client address and port, IPv4 held as v4-mapped IPv6, for the transfer table.
struct ClientKey {
  std::array<std::uint8_t, 16> addr{};
  std::uint16_t port = 0;
  bool operator==(const ClientKey&) const = default;
};

struct ClientKeyHash {
  std::size_t operator()(const ClientKey& k) const {
    std::uint64_t h = 1469598103934665603ull;
    for (auto b : k.addr) h = (h ^ b) * 1099511628211ull;
    h = (h ^ k.port) * 1099511628211ull;
    return static_cast<std::size_t>(h);
  }
};

ClientKey key_of(const sockaddr_storage& ss) {
  ClientKey k;
  if (ss.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(ss);
    k.addr[10] = 0xff;
    k.addr[11] = 0xff;
    std::memcpy(k.addr.data() + 12, &a.sin_addr, 4);
    k.port = ntohs(a.sin_port);
  } else {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(ss);
    std::memcpy(k.addr.data(), &a.sin6_addr, 16);
    k.port = ntohs(a.sin6_port);
  }
  return k;
}

std::string format_addr(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(ss);
    ::inet_ntop(AF_INET, &a.sin_addr, buf, sizeof(buf));
    return net::format_host_port(buf, ntohs(a.sin_port));
  }
  const auto& a = reinterpret_cast<const sockaddr_in6&>(ss);
  if (IN6_IS_ADDR_V4MAPPED(&a.sin6_addr)) {
    ::inet_ntop(AF_INET, reinterpret_cast<const std::uint8_t*>(&a.sin6_addr) + 12, buf,
                sizeof(buf));
  } else {
    ::inet_ntop(AF_INET6, &a.sin6_addr, buf, sizeof(buf));
  }
  return net::format_host_port(buf, ntohs(a.sin6_port));
}

// The local address a request arrived on (from IP_PKTINFO / IPV6_PKTINFO).
struct LocalAddress {
  bool known = false;
  bool v6 = false;
  in_addr v4{};
  in6_addr v6addr{};
};

std::string signature_of(const Request& r) {
  std::string s = r.filename;
  s += '\0';
  s += mode_name(r.mode);
  const auto& o = r.options;
  for (const auto& name : r.option_order) {
    s += '\0';
    s += name;
    s += '=';
    if (name == "blksize") s += std::to_string(*o.blksize);
    if (name == "tsize") s += std::to_string(*o.tsize);
    if (name == "timeout") s += std::to_string(*o.timeout);
    if (name == "windowsize") s += std::to_string(*o.windowsize);
  }
  return s;
}

void set_buffer(int fd, int force_opt, int opt) {
  int size = kSocketBuffer;
  if (::setsockopt(fd, SOL_SOCKET, force_opt, &size, sizeof(size)) != 0) {
    ::setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size));
  }
}

}  // namespace

class Server::Loop {
 public:
  // `cache` and `total_active` are shared by all loops of a server.
  Loop(const Settings& settings, metrics::Registry& registry, log::Logger log, FileCache& cache,
       std::atomic<std::size_t>& total_active, SourceLimiter& limiter);

  // Binds `listen` (SO_REUSEPORT: every loop binds the same addresses; the kernel spreads
  // clients over them by address and port, so a client's packets always reach one loop).
  // `first`: the first loop also checks that no other process holds a port it asks for.
  Expected<std::vector<std::string>, std::string> open(const std::vector<std::string>& listen,
                                                       bool first);
  void run();
  void request_stop(std::chrono::milliseconds drain) {
    drain_ms_.store(drain.count());
    stop_requested_.store(true);
    std::uint64_t one = 1;
    [[maybe_unused]] auto r = ::write(wake_.get(), &one, sizeof(one));
  }
  std::size_t active() const { return active_count_.load(std::memory_order_relaxed); }

 private:
  struct Listener {
    UniqueFd fd;
    int family = AF_INET;
    bool wildcard = false;
    std::string address;
  };

  struct Active {
    Active(TransferConfig c) : machine(c) {}  // NOLINT
    Transfer machine;
    UniqueFd fd;  // classic mode: connected to the client; single-port: unused
    std::size_t listener = 0;
    sockaddr_storage peer{};
    socklen_t peer_len = 0;
    ClientKey key;
    LocalAddress local;
    FileSource source;
    std::string file;
    std::string request_signature;  // file, mode and options: tells a repeat from a new ask
    Mode mode = Mode::kOctet;
    OptionList oack;
    Clock::time_point started;
    Clock::time_point deadline;
    std::chrono::milliseconds timeout{1000};
    bool in_heap = false;
    std::uint64_t bytes_sent = 0;
    std::uint64_t retransmitted = 0;
    bool heard_ack = false;  // the client acknowledged something (it hears us)
  };

  struct TimerEntry {
    Clock::time_point when;
    std::uint32_t index;
    std::uint32_t gen;
    bool operator>(const TimerEntry& o) const { return when > o.when; }
  };

  enum class Reason {
    kOk,
    kClientError,
    kTimeout,
    kProtocolError,
    kIoError,
    kSuperseded,
    kShutdown,
    kClientGone,
    kUnacknowledged
  };

  static std::string_view reason_name(Reason r) {
    switch (r) {
      case Reason::kOk:
        return "ok";
      case Reason::kClientError:
        return "client_error";
      case Reason::kTimeout:
        return "timeout";
      case Reason::kProtocolError:
        return "protocol_error";
      case Reason::kIoError:
        return "io_error";
      case Reason::kSuperseded:
        return "superseded";
      case Reason::kShutdown:
        return "shutdown";
      case Reason::kClientGone:
        return "client_gone";
      case Reason::kUnacknowledged:
        return "unacknowledged";
    }
    return "?";
  }

  // Events.
  void on_listener(std::size_t index);
  void on_transfer_readable(std::uint32_t index);
  void on_packet(std::size_t listener, const sockaddr_storage& peer, socklen_t peer_len,
                 const LocalAddress& local, std::span<const std::uint8_t> bytes);
  void on_transfer_packet(std::uint32_t index, std::span<const std::uint8_t> bytes);
  void handle_request(std::size_t listener, const sockaddr_storage& peer, socklen_t peer_len,
                      const LocalAddress& local, Request request);
  void fire_timers();
  void begin_drain();

  // Actions.
  void apply(std::uint32_t index, Step step);
  bool send_oack(Active& a, bool retransmission);
  bool send_blocks(std::uint32_t index, const Step& step);
  void arm(std::uint32_t index);
  void send_to(const Active& a, std::span<const std::uint8_t> bytes);
  void send_from_listener(std::size_t listener, const sockaddr_storage& peer, socklen_t peer_len,
                          const LocalAddress& local, std::span<const std::uint8_t> bytes);
  void refuse(std::size_t listener, const sockaddr_storage& peer, socklen_t peer_len,
              const LocalAddress& local, const std::string& file, ErrorCode code,
              const std::string& reason);
  void finish(std::uint32_t index, Reason reason, std::optional<std::uint16_t> code = {},
              const std::string& detail = {}, bool send_error = false);
  Active* get(std::uint32_t index) { return index < slots_.size() ? slots_[index].get() : nullptr; }

  const Settings& settings_;
  log::Logger log_;
  std::optional<PathResolver> resolver_;
  FileCache& cache_;
  std::atomic<std::size_t>& total_active_;
  SourceLimiter& limiter_;
  OptionLimits limits_;

  UniqueFd epoll_;
  UniqueFd wake_;
  std::vector<Listener> listeners_;

  std::vector<std::unique_ptr<Active>> slots_;
  std::vector<std::uint32_t> gens_;
  std::vector<std::uint32_t> free_;
  std::unordered_map<ClientKey, std::uint32_t, ClientKeyHash> by_client_;
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> timers_;
  std::atomic<std::size_t> active_count_{0};

  std::atomic<bool> stop_requested_{false};
  std::atomic<std::int64_t> drain_ms_{0};
  bool draining_ = false;
  Clock::time_point drain_deadline_;
  Clock::time_point now_;

  std::vector<std::uint8_t> recv_buf_;
  std::vector<std::uint8_t> scratch_;  // streamed blocks of one batch

  // Metrics.
  metrics::Counter& started_;
  metrics::Family<metrics::Counter>& finished_;
  metrics::Family<metrics::Counter>& failed_;
  metrics::Counter& bytes_sent_;
  metrics::Counter& retransmissions_;
  metrics::Counter& malformed_;
  metrics::Counter& duplicate_requests_;
  metrics::Family<metrics::Counter>& source_limited_;
  metrics::Gauge& active_gauge_;
  metrics::Histogram& duration_;
  metrics::Gauge& cache_bytes_;
  metrics::Gauge& cache_files_;
  metrics::Counter& cache_hits_;
  metrics::Counter& cache_misses_;
};

Server::Loop::Loop(const Settings& settings, metrics::Registry& registry, log::Logger log,
                   FileCache& cache, std::atomic<std::size_t>& total_active, SourceLimiter& limiter)
    : settings_(settings),
      log_(std::move(log)),
      cache_(cache),
      total_active_(total_active),
      limiter_(limiter),
      limits_{static_cast<std::uint32_t>(settings.max_blksize),
              static_cast<std::uint32_t>(settings.max_windowsize)},
      recv_buf_(kRecvBuffer),
      scratch_(kBatch * static_cast<std::size_t>(settings.max_blksize)),
      started_(registry
                   .counter("ferrum_tftp_transfers_started_total",
                            "Read transfers started (request accepted).")
                   .get()),
      finished_(registry.counter("ferrum_tftp_transfers_finished_total",
                                 "Transfers ended, by result (ok or failed).", {"result"})),
      failed_(registry.counter("ferrum_tftp_transfers_failed_total",
                               "Failed transfers and refused requests, by reason and TFTP error "
                               "code (sent by the server, or by the client for client_error).",
                               {"reason", "code"})),
      bytes_sent_(registry
                      .counter("ferrum_tftp_bytes_sent_total",
                               "DATA payload bytes sent, retransmissions included.")
                      .get()),
      retransmissions_(registry
                           .counter("ferrum_tftp_retransmissions_total",
                                    "DATA and OACK packets sent again after a timeout.")
                           .get()),
      malformed_(
          registry.counter("ferrum_tftp_malformed_packets_total", "Packets that did not decode.")
              .get()),
      duplicate_requests_(registry
                              .counter("ferrum_tftp_duplicate_requests_total",
                                       "Repeated read requests for a transfer still "
                                       "negotiating (ignored).")
                              .get()),
      source_limited_(registry.counter(
          "ferrum_tftp_source_limited_total",
          "Requests dropped or refused and transfers dropped by a per-source limit: "
          "request_rate (dropped unanswered), sources (table full, dropped unanswered), "
          "transfers_per_source (error 0), unacked_retransmissions (transfer dropped).",
          {"limit"})),
      active_gauge_(registry.gauge("ferrum_tftp_active_transfers", "Transfers in progress.").get()),
      duration_(registry
                    .histogram("ferrum_tftp_transfer_duration_seconds",
                               "Duration of transfers from request to last ACK or failure.",
                               metrics::exponential_buckets(0.001, 2.5, 14))
                    .get()),
      cache_bytes_(
          registry.gauge("ferrum_tftp_cache_bytes", "Bytes of file content cached.").get()),
      cache_files_(registry.gauge("ferrum_tftp_cache_files", "Files cached.").get()),
      cache_hits_(
          registry
              .counter("ferrum_tftp_cache_hits_total", "Requests served from a valid cached copy.")
              .get()),
      cache_misses_(registry
                        .counter("ferrum_tftp_cache_misses_total",
                                 "Requests that read the file: first use, changed on "
                                 "disk, or too large to cache (streamed).")
                        .get()) {}

Expected<std::vector<std::string>, std::string> Server::Loop::open(
    const std::vector<std::string>& listen, bool first) {
  // Classic mode holds one socket per transfer: make room for --max-transfers of them.
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &nofile);
  }
  auto resolver = PathResolver::open_root(settings_.root);
  if (!resolver) return unexpected(resolver.error());
  resolver_.emplace(std::move(*resolver));

  epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
  wake_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!epoll_ || !wake_) return unexpected(std::string("epoll/eventfd: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = epoll_key(kTagWake, 0, 0);
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev);

  std::vector<std::string> bound;
  for (const auto& text : listen) {
    auto hp = net::parse_host_port(text);
    if (!hp) return unexpected("--listen " + text + ": " + hp.error());
    auto addr = net::listen_address(*hp);
    if (!addr) return unexpected("--listen " + text + ": " + addr.error());
    Listener l;
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (addr->is_v4()) {
      auto& a = reinterpret_cast<sockaddr_in&>(ss);
      a.sin_family = AF_INET;
      a.sin_port = htons(hp->port);
      auto bytes = addr->to_v4().to_bytes();
      std::memcpy(&a.sin_addr, bytes.data(), 4);
      len = sizeof(a);
      l.family = AF_INET;
      l.wildcard = addr->to_v4().is_unspecified();
    } else {
      auto& a = reinterpret_cast<sockaddr_in6&>(ss);
      a.sin6_family = AF_INET6;
      a.sin6_port = htons(hp->port);
      auto bytes = addr->to_v6().to_bytes();
      std::memcpy(&a.sin6_addr, bytes.data(), 16);
      a.sin6_scope_id = addr->to_v6().scope_id();
      len = sizeof(a);
      l.family = AF_INET6;
      l.wildcard = addr->to_v6().is_unspecified();
    }
    l.fd.reset(::socket(l.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!l.fd) return unexpected("--listen " + text + ": socket: " + std::strerror(errno));
    int on = 1;
    int off = 0;
    if (l.family == AF_INET6) {
      // "[::]:69" serves IPv4 too, whatever net.ipv6.bindv6only says.
      ::setsockopt(l.fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, l.wildcard ? &off : &on, sizeof(int));
      ::setsockopt(l.fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
    }
    ::setsockopt(l.fd.get(), IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
    if (first && hp->port != 0) {
      // SO_REUSEPORT lets any process of the same user join the group: a second ferrum-tftpd
      // on this port would start and silently take part of the clients. A probe bound without
      // it fails while anyone holds the port.
      UniqueFd probe(::socket(l.family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      if (l.family == AF_INET6) {
        ::setsockopt(probe.get(), IPPROTO_IPV6, IPV6_V6ONLY, l.wildcard ? &off : &on, sizeof(int));
      }
      if (probe && ::bind(probe.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        return unexpected("--listen " + text + ": bind: " + std::strerror(errno));
      }
    }
    ::setsockopt(l.fd.get(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
    set_buffer(l.fd.get(), SO_RCVBUFFORCE, SO_RCVBUF);
    set_buffer(l.fd.get(), SO_SNDBUFFORCE, SO_SNDBUF);
    if (::bind(l.fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      return unexpected("--listen " + text + ": bind: " + std::strerror(errno));
    }
    sockaddr_storage actual{};
    socklen_t alen = sizeof(actual);
    ::getsockname(l.fd.get(), reinterpret_cast<sockaddr*>(&actual), &alen);
    l.address = format_addr(actual);
    bound.push_back(l.address);
    listeners_.push_back(std::move(l));
  }
  for (std::size_t i = 0; i < listeners_.size(); ++i) {
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.u64 = epoll_key(kTagListen, static_cast<std::uint32_t>(i), 0);
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listeners_[i].fd.get(), &e);
  }
  return bound;
}

void Server::Loop::run() {
  std::array<epoll_event, 64> events{};
  now_ = Clock::now();
  while (true) {
    int wait_ms = -1;
    if (!timers_.empty()) {
      auto d = std::chrono::ceil<std::chrono::milliseconds>(timers_.top().when - now_).count();
      wait_ms = static_cast<int>(std::clamp<std::int64_t>(d, 0, 60'000));
    }
    if (draining_) {
      auto d = std::chrono::ceil<std::chrono::milliseconds>(drain_deadline_ - now_).count();
      d = std::clamp<std::int64_t>(d, 0, 60'000);
      wait_ms = wait_ms < 0 ? static_cast<int>(d) : std::min(wait_ms, static_cast<int>(d));
    }
    int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), wait_ms);
    now_ = Clock::now();
    // Transfer sockets first: a client's ERROR for its old transfer is handled before the
    // new request it sent right after (OVMF does exactly that).
    for (int pass = 0; pass < 2; ++pass) {
      for (int i = 0; i < n; ++i) {
        std::uint64_t key = events[static_cast<std::size_t>(i)].data.u64;
        std::uint64_t tag = key & 3;
        auto index = static_cast<std::uint32_t>((key & 0xffffffffu) >> 2);
        auto gen = static_cast<std::uint32_t>(key >> 32);
        if (pass == 0 && tag == kTagTransfer) {
          if (index < gens_.size() && gens_[index] == gen && slots_[index]) {
            on_transfer_readable(index);
          }
        } else if (pass == 1 && tag == kTagListen) {
          if (index < listeners_.size() && listeners_[index].fd) on_listener(index);
        } else if (pass == 1 && tag == kTagWake) {
          std::uint64_t v;
          [[maybe_unused]] auto r = ::read(wake_.get(), &v, sizeof(v));
        }
      }
    }
    fire_timers();
    if (stop_requested_.load() && !draining_) begin_drain();
    if (draining_) {
      if (active_count_.load() == 0) break;
      if (now_ >= drain_deadline_) {
        for (std::uint32_t i = 0; i < slots_.size(); ++i) {
          if (slots_[i]) finish(i, Reason::kShutdown, 0, "server shutting down", true);
        }
        break;
      }
    }
  }
  listeners_.clear();
}

void Server::Loop::begin_drain() {
  draining_ = true;
  drain_deadline_ = now_ + std::chrono::milliseconds(drain_ms_.load());
  log_.info("draining",
            {{"active_transfers", active_count_.load()}, {"deadline_ms", drain_ms_.load()}});
  if (!settings_.single_port) {
    // Transfers run on their own sockets: stop taking requests at once.
    for (auto& l : listeners_) {
      ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, l.fd.get(), nullptr);
      l.fd.reset();
    }
  }
}

void Server::Loop::on_listener(std::size_t index) {
  for (std::size_t round = 0; round < kBatch; ++round) {
    auto& l = listeners_[index];
    if (!l.fd) return;
    sockaddr_storage peer{};
    iovec iov{recv_buf_.data(), recv_buf_.size()};
    alignas(cmsghdr) std::array<std::uint8_t, 256> control{};
    msghdr msg{};
    msg.msg_name = &peer;
    msg.msg_namelen = sizeof(peer);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    ssize_t n = ::recvmsg(l.fd.get(), &msg, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN, or an ICMP error queued on the socket: nothing to read
    }
    LocalAddress local;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        in_pktinfo info{};
        std::memcpy(&info, CMSG_DATA(c), sizeof(info));
        local.known = true;
        local.v6 = false;
        local.v4 = info.ipi_addr;
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
        in6_pktinfo info{};
        std::memcpy(&info, CMSG_DATA(c), sizeof(info));
        local.known = true;
        local.v6 = true;
        local.v6addr = info.ipi6_addr;
      }
    }
    on_packet(index, peer, msg.msg_namelen, local,
              std::span<const std::uint8_t>(recv_buf_.data(), static_cast<std::size_t>(n)));
  }
}

void Server::Loop::on_packet(std::size_t listener, const sockaddr_storage& peer, socklen_t peer_len,
                             const LocalAddress& local, std::span<const std::uint8_t> bytes) {
  ClientKey key = key_of(peer);
  const bool is_request = bytes.size() >= 2 && bytes[0] == 0 && (bytes[1] == 1 || bytes[1] == 2);
  if (is_request) {
    // Before anything is decoded or answered: a flood from one address costs one lookup per
    // packet and gets nothing back.
    auto verdict = limiter_.admit_request(key.addr);
    if (verdict != SourceLimiter::Verdict::kAdmit) {
      source_limited_
          .with({verdict == SourceLimiter::Verdict::kTableFull ? "sources" : "request_rate"})
          .inc();
      return;
    }
  }
  auto decoded = decode(bytes);
  std::optional<std::uint32_t> existing;
  if (auto it = by_client_.find(key); it != by_client_.end()) existing = it->second;

  if (!decoded) {
    malformed_.inc();
    if (is_request) {
      refuse(listener, peer, peer_len, local, "", reply_code_for(decoded.error->kind),
             decoded.error->message);
    }
    return;
  }
  auto& packet = *decoded.packet;
  if (auto* req = std::get_if<Request>(&packet)) {
    handle_request(listener, peer, peer_len, local, std::move(*req));
    return;
  }
  if (settings_.single_port && existing) {
    on_transfer_packet(*existing, bytes);
    return;
  }
  if (!std::holds_alternative<Error>(packet)) {
    // RFC 1350: a packet for no known transfer gets error 5; never answer an ERROR.
    std::array<std::uint8_t, 64> out{};
    auto len = encode_error(out, ErrorCode::kUnknownTransferId, "unknown transfer ID");
    send_from_listener(listener, peer, peer_len, local, std::span(out.data(), len));
  }
}

void Server::Loop::refuse(std::size_t listener, const sockaddr_storage& peer, socklen_t peer_len,
                          const LocalAddress& local, const std::string& file, ErrorCode code,
                          const std::string& reason) {
  // Metrics first: whoever sees the error packet also sees it counted.
  auto code_num = static_cast<std::uint16_t>(code);
  failed_.with({"refused", std::to_string(code_num)}).inc();
  std::array<std::uint8_t, 512> out{};
  auto len = encode_error(out, code, reason.substr(0, 400));
  send_from_listener(listener, peer, peer_len, local, std::span(out.data(), len));
  log_.info("transfer refused", {{"client", format_addr(peer)},
                                 {"file", file},
                                 {"error_code", code_num},
                                 {"error", std::string(error_code_name(code))},
                                 {"reason", reason}});
}

void Server::Loop::handle_request(std::size_t listener, const sockaddr_storage& peer,
                                  socklen_t peer_len, const LocalAddress& local, Request request) {
  ClientKey key = key_of(peer);
  if (request.opcode == Opcode::kWrq) {
    refuse(listener, peer, peer_len, local, request.filename, ErrorCode::kAccessViolation,
           "write requests are not accepted: this server is read-only");
    return;
  }
  if (draining_) {
    refuse(listener, peer, peer_len, local, request.filename, ErrorCode::kNotDefined,
           "server shutting down");
    return;
  }
  if (auto it = by_client_.find(key); it != by_client_.end()) {
    Active* old = get(it->second);
    if (old != nullptr && old->request_signature == signature_of(request) &&
        old->machine.acked() == 0) {
      // The client repeated its request before our first packet reached it; the transfer's
      // own timer resends that packet.
      duplicate_requests_.inc();
      return;
    }
    finish(it->second, Reason::kSuperseded, {}, "a new request from the same client port");
  }
  if (total_active_.load() >= static_cast<std::size_t>(settings_.max_transfers)) {
    refuse(listener, peer, peer_len, local, request.filename, ErrorCode::kNotDefined,
           "server busy");
    return;
  }
  auto opened = resolver_->open(request.filename);
  if (!opened) {
    refuse(listener, peer, peer_len, local, request.filename, opened.error().code,
           opened.error().reason);
    return;
  }
  bool hit = false;
  auto source = cache_.source(std::move(*opened), request.mode, &hit);
  (hit ? cache_hits_ : cache_misses_).inc();
  cache_bytes_.set(static_cast<double>(cache_.bytes()));
  cache_files_.set(static_cast<double>(cache_.files()));
  if (!source) {
    refuse(listener, peer, peer_len, local, request.filename, source.error().code,
           source.error().reason);
    return;
  }
  Negotiated granted = negotiate(request, limits_, source->size());

  TransferConfig config;
  config.size = source->size();
  config.blksize = granted.blksize;
  config.windowsize = granted.windowsize;
  config.send_oack = !granted.oack.empty();
  config.max_retries = static_cast<std::uint32_t>(settings_.retries);

  // Reserve a place under --max-transfers (shared by all loops: reserve, then check), then
  // one under --max-transfers-per-source.
  if (total_active_.fetch_add(1) >= static_cast<std::size_t>(settings_.max_transfers)) {
    total_active_.fetch_sub(1);
    refuse(listener, peer, peer_len, local, request.filename, ErrorCode::kNotDefined,
           "server busy");
    return;
  }
  if (limiter_.start_transfer(key.addr) != SourceLimiter::Verdict::kAdmit) {
    total_active_.fetch_sub(1);
    source_limited_.with({"transfers_per_source"}).inc();
    refuse(listener, peer, peer_len, local, request.filename, ErrorCode::kNotDefined,
           "too many transfers from this address (--max-transfers-per-source)");
    return;
  }
  // A slot.
  std::uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
    gens_.push_back(0);
  }
  auto a = std::make_unique<Active>(config);
  a->listener = listener;
  std::memcpy(&a->peer, &peer, sizeof(peer));
  a->peer_len = peer_len;
  a->key = key;
  a->local = local;
  a->source = std::move(*source);
  a->file = request.filename;
  a->request_signature = signature_of(request);
  a->mode = request.mode;
  a->oack = std::move(granted.oack);
  a->started = now_;
  a->timeout = granted.timeout_seconds ? std::chrono::milliseconds(*granted.timeout_seconds * 1000)
                                       : settings_.timeout;

  if (!settings_.single_port) {
    const auto& l = listeners_[listener];
    UniqueFd fd(::socket(l.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_storage bind_addr{};
    socklen_t bind_len = 0;
    if (l.family == AF_INET) {
      auto& b = reinterpret_cast<sockaddr_in&>(bind_addr);
      b.sin_family = AF_INET;
      if (local.known && !local.v6) b.sin_addr = local.v4;
      bind_len = sizeof(b);
    } else {
      auto& b = reinterpret_cast<sockaddr_in6&>(bind_addr);
      b.sin6_family = AF_INET6;
      if (local.known && local.v6) {
        b.sin6_addr = local.v6addr;
        if (IN6_IS_ADDR_LINKLOCAL(&local.v6addr)) {
          b.sin6_scope_id = reinterpret_cast<const sockaddr_in6&>(peer).sin6_scope_id;
        }
      } else if (local.known) {
        auto* p = reinterpret_cast<std::uint8_t*>(&b.sin6_addr);
        p[10] = 0xff;
        p[11] = 0xff;
        std::memcpy(p + 12, &local.v4, 4);
      }
      bind_len = sizeof(b);
      int off = 0;
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    }
    if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&bind_addr), bind_len) != 0 ||
        ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&peer), peer_len) != 0) {
      std::string why = std::strerror(errno);
      free_.push_back(index);
      total_active_.fetch_sub(1);
      limiter_.end_transfer(key.addr);
      refuse(listener, peer, peer_len, local, request.filename, ErrorCode::kNotDefined,
             "cannot open a transfer socket: " + why);
      return;
    }
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.u64 = epoll_key(kTagTransfer, index, gens_[index]);
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd.get(), &e);
    a->fd = std::move(fd);
  }
  slots_[index] = std::move(a);
  by_client_[key] = index;
  active_count_.fetch_add(1);
  active_gauge_.inc();
  started_.inc();
  apply(index, slots_[index]->machine.start());
}

void Server::Loop::on_transfer_readable(std::uint32_t index) {
  // One datagram per readiness event: a reading client sends one ACK per window, so a
  // second recv() would almost always be a wasted EAGAIN; epoll is level-triggered and
  // reports the socket again if more is queued.
  Active* a = get(index);
  if (a == nullptr || !a->fd) return;
  ssize_t n;
  do {
    n = ::recv(a->fd.get(), recv_buf_.data(), recv_buf_.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == ECONNREFUSED) {
      // ICMP port unreachable: the client's port is gone.
      finish(index, Reason::kClientGone, {}, "client port unreachable");
    }
    return;
  }
  on_transfer_packet(index,
                     std::span<const std::uint8_t>(recv_buf_.data(), static_cast<std::size_t>(n)));
}

void Server::Loop::on_transfer_packet(std::uint32_t index, std::span<const std::uint8_t> bytes) {
  Active* a = get(index);
  if (a == nullptr) return;
  auto decoded = decode(bytes);
  if (!decoded) {
    malformed_.inc();
    return;
  }
  auto& packet = *decoded.packet;
  if (auto* ack = std::get_if<Ack>(&packet)) {
    Step step = a->machine.on_ack(ack->block);
    if (!a->heard_ack && step.action != Step::Action::kNothing) {
      a->heard_ack = true;
      limiter_.acknowledged(a->key.addr);
    }
    apply(index, step);
  } else if (auto* err = std::get_if<Error>(&packet)) {
    // e.g. OVMF's error 8 after the OACK: it asks again without tsize. End quietly.
    finish(index, Reason::kClientError, err->code, err->message);
  } else if (std::holds_alternative<Request>(packet)) {
    // A request on a transfer port: ignore (the listen socket handles requests).
  } else {
    finish(index, Reason::kProtocolError, static_cast<std::uint16_t>(ErrorCode::kIllegalOperation),
           "only ACK and ERROR are valid from a reading client", true);
  }
}

void Server::Loop::apply(std::uint32_t index, Step step) {
  Active* a = get(index);
  if (a == nullptr) return;
  switch (step.action) {
    case Step::Action::kNothing:
      return;
    case Step::Action::kSendOack:
      if (send_oack(*a, step.retransmission)) arm(index);
      return;
    case Step::Action::kSendBlocks:
      if (send_blocks(index, step)) arm(index);
      return;
    case Step::Action::kComplete:
      finish(index, Reason::kOk);
      return;
    case Step::Action::kGiveUp:
      finish(index, Reason::kTimeout, {},
             "no ACK after " + std::to_string(settings_.retries) + " retransmissions");
      return;
  }
}

bool Server::Loop::send_oack(Active& a, bool retransmission) {
  std::array<std::uint8_t, 512> out{};
  auto len = encode_oack(out, a.oack);
  send_to(a, std::span(out.data(), len));
  if (retransmission) {
    retransmissions_.inc();
    ++a.retransmitted;
  }
  return true;
}

bool Server::Loop::send_blocks(std::uint32_t index, const Step& step) {
  Active& a = *slots_[index];
  const auto& m = a.machine;
  const std::size_t blksize = m.config().blksize;
  std::array<std::array<std::uint8_t, 4>, kBatch> headers{};
  std::array<std::array<iovec, 2>, kBatch> iovs{};
  std::array<mmsghdr, kBatch> msgs{};
  alignas(cmsghdr) std::array<std::uint8_t, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
  const bool via_listener = !a.fd;
  // Source address for replies from a wildcard listen socket.
  std::size_t control_len = 0;
  if (via_listener && listeners_[a.listener].wildcard && a.local.known) {
    msghdr tmp{};
    tmp.msg_control = control.data();
    tmp.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&tmp);
    if (a.local.v6) {
      in6_pktinfo info{};
      info.ipi6_addr = a.local.v6addr;
      c->cmsg_level = IPPROTO_IPV6;
      c->cmsg_type = IPV6_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof(info));
      std::memcpy(CMSG_DATA(c), &info, sizeof(info));
      control_len = CMSG_SPACE(sizeof(info));
    } else {
      in_pktinfo info{};
      info.ipi_spec_dst = a.local.v4;
      c->cmsg_level = IPPROTO_IP;
      c->cmsg_type = IP_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof(info));
      std::memcpy(CMSG_DATA(c), &info, sizeof(info));
      control_len = CMSG_SPACE(sizeof(info));
    }
  }
  std::uint64_t block = step.first;
  while (block <= step.last) {
    std::size_t count = 0;
    std::uint64_t payload_bytes = 0;
    for (; count < kBatch && block <= step.last; ++count, ++block) {
      auto payload = a.source.read(m.offset_of(block), m.length_of(block),
                                   std::span(scratch_).subspan(count * blksize, blksize));
      if (!payload) {
        finish(index, Reason::kIoError, static_cast<std::uint16_t>(ErrorCode::kNotDefined),
               "read error or the file changed during the transfer", true);
        return false;
      }
      encode_data_header(headers[count], Transfer::wire_block(block));
      iovs[count][0] = iovec{headers[count].data(), 4};
      iovs[count][1] = iovec{const_cast<std::uint8_t*>(payload->data()), payload->size()};
      msghdr& h = msgs[count].msg_hdr;
      h = msghdr{};
      h.msg_iov = iovs[count].data();
      h.msg_iovlen = 2;
      if (via_listener) {
        h.msg_name = &a.peer;
        h.msg_namelen = a.peer_len;
        if (control_len > 0) {
          h.msg_control = control.data();
          h.msg_controllen = control_len;
        }
      }
      payload_bytes += payload->size();
    }
    int fd = via_listener ? listeners_[a.listener].fd.get() : a.fd.get();
    std::size_t sent = 0;
    while (sent < count) {
      int r = ::sendmmsg(fd, msgs.data() + sent, static_cast<unsigned>(count - sent), 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno == ECONNREFUSED) {
          finish(index, Reason::kClientGone, {}, "client port unreachable");
          return false;
        }
        // EAGAIN/ENOBUFS: the rest of the window goes out on the retransmission timer.
        break;
      }
      sent += static_cast<std::size_t>(r);
    }
    bytes_sent_.inc(static_cast<double>(payload_bytes));
    a.bytes_sent += payload_bytes;
    if (step.retransmission) {
      retransmissions_.inc(static_cast<double>(count));
      a.retransmitted += count;
    }
    if (sent < count) break;
  }
  return true;
}

void Server::Loop::send_to(const Active& a, std::span<const std::uint8_t> bytes) {
  if (a.fd) {
    while (::send(a.fd.get(), bytes.data(), bytes.size(), 0) < 0 && errno == EINTR) {
    }
    return;
  }
  send_from_listener(a.listener, a.peer, a.peer_len, a.local, bytes);
}

void Server::Loop::send_from_listener(std::size_t listener, const sockaddr_storage& peer,
                                      socklen_t peer_len, const LocalAddress& local,
                                      std::span<const std::uint8_t> bytes) {
  if (listener >= listeners_.size() || !listeners_[listener].fd) return;
  const auto& l = listeners_[listener];
  iovec iov{const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
  msghdr msg{};
  msg.msg_name = const_cast<sockaddr_storage*>(&peer);
  msg.msg_namelen = peer_len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) std::array<std::uint8_t, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
  if (l.wildcard && local.known) {
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (local.v6) {
      in6_pktinfo info{};
      info.ipi6_addr = local.v6addr;
      c->cmsg_level = IPPROTO_IPV6;
      c->cmsg_type = IPV6_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof(info));
      std::memcpy(CMSG_DATA(c), &info, sizeof(info));
      msg.msg_controllen = CMSG_SPACE(sizeof(info));
    } else {
      in_pktinfo info{};
      info.ipi_spec_dst = local.v4;
      c->cmsg_level = IPPROTO_IP;
      c->cmsg_type = IP_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof(info));
      std::memcpy(CMSG_DATA(c), &info, sizeof(info));
      msg.msg_controllen = CMSG_SPACE(sizeof(info));
    }
  }
  while (::sendmsg(l.fd.get(), &msg, 0) < 0 && errno == EINTR) {
  }
}

void Server::Loop::arm(std::uint32_t index) {
  Active& a = *slots_[index];
  a.deadline = now_ + a.timeout;
  if (!a.in_heap) {
    timers_.push(TimerEntry{a.deadline, index, gens_[index]});
    a.in_heap = true;
  }
}

void Server::Loop::fire_timers() {
  while (!timers_.empty() && timers_.top().when <= now_) {
    TimerEntry t = timers_.top();
    timers_.pop();
    if (t.index >= gens_.size() || gens_[t.index] != t.gen || !slots_[t.index]) continue;
    Active& a = *slots_[t.index];
    a.in_heap = false;
    if (a.deadline > now_) {
      // Progress moved the deadline since this entry was queued: one entry per transfer.
      timers_.push(TimerEntry{a.deadline, t.index, t.gen});
      a.in_heap = true;
      continue;
    }
    Step step = a.machine.on_timeout();
    bool resend =
        step.action == Step::Action::kSendOack || step.action == Step::Action::kSendBlocks;
    if (resend && !a.heard_ack && !limiter_.allow_unacked_retransmission(a.key.addr)) {
      // Nothing from this address ever came back: it may be a forged source, and every
      // resend would be sent to a bystander.
      source_limited_.with({"unacked_retransmissions"}).inc();
      finish(t.index, Reason::kUnacknowledged, {},
             "no ACK from this address and its --unacked-retransmissions-per-source are spent");
      continue;
    }
    apply(t.index, step);
  }
}

void Server::Loop::finish(std::uint32_t index, Reason reason, std::optional<std::uint16_t> code,
                          const std::string& detail, bool send_error) {
  std::unique_ptr<Active> a = std::move(slots_[index]);
  if (!a) return;
  // Outcome metrics before the active gauge drops and before the client hears of it, so an
  // observer that sees either also sees the outcome counted.
  double seconds = std::chrono::duration<double>(now_ - a->started).count();
  duration_.observe(seconds);
  bool ok = reason == Reason::kOk;
  finished_.with({ok ? "ok" : "failed"}).inc();
  std::string code_text = code ? std::to_string(*code) : "none";
  if (!ok) failed_.with({std::string(reason_name(reason)), code_text}).inc();
  ++gens_[index];
  free_.push_back(index);
  if (auto it = by_client_.find(a->key); it != by_client_.end() && it->second == index) {
    by_client_.erase(it);
  }
  active_count_.fetch_sub(1);
  total_active_.fetch_sub(1);
  limiter_.end_transfer(a->key.addr);
  active_gauge_.dec();
  if (send_error) {
    std::array<std::uint8_t, 512> out{};
    auto len = encode_error(out, code.value_or(0), detail.substr(0, 400));
    send_to(*a, std::span(out.data(), len));
  }

  nlohmann::json options = nlohmann::json::object();
  for (const auto& [k, v] : a->oack) options[k] = v;
  const auto& m = a->machine;
  log::Fields fields{{"client", format_addr(a->peer)},
                     {"file", a->file},
                     {"mode", std::string(mode_name(a->mode))},
                     {"options", std::move(options)},
                     {"blksize", m.config().blksize},
                     {"windowsize", m.config().windowsize},
                     {"size", m.config().size},
                     {"bytes", ok ? m.config().size : m.bytes_acked()},
                     {"bytes_sent", a->bytes_sent},
                     {"retransmissions", a->retransmitted},
                     {"duration_ms", std::llround(seconds * 1000.0)},
                     {"result", std::string(reason_name(reason))}};
  if (code) fields.push_back({"error_code", *code});
  if (!detail.empty()) fields.push_back({"error", detail});
  if (ok || reason == Reason::kClientError || reason == Reason::kSuperseded) {
    log_.info("transfer finished", fields);
  } else {
    log_.warn("transfer failed", fields);
  }
  // Closing the socket removes it from epoll.
}

Server::Server(Settings settings, metrics::Registry& registry, log::Logger log, const ferrum::Clock& clock)
    : settings_(std::move(settings)),
      registry_(registry),
      log_(std::move(log)),
      limiter_(settings_.per_source, clock) {}

Server::~Server() { stop(std::chrono::milliseconds(0)); }

Expected<std::vector<std::string>, std::string> Server::start() {
  if (auto err = validate(settings_); !err.empty()) return unexpected(err);
  cache_ = std::make_unique<FileCache>(
      CacheLimits{static_cast<std::uint64_t>(settings_.cache_max_bytes),
                  static_cast<std::uint64_t>(settings_.cache_max_file_bytes)});
  std::size_t threads = settings_.threads > 0
                            ? static_cast<std::size_t>(settings_.threads)
                            : std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::vector<std::string> bound;
  for (std::size_t i = 0; i < threads; ++i) {
    auto loop =
        std::make_unique<Loop>(settings_, registry_, log_, *cache_, total_active_, limiter_);
    // The first loop binds what --listen says (port 0 picks one); the others the same ports.
    auto b = loop->open(i == 0 ? settings_.listen : bound, i == 0);
    if (!b) {
      loops_.clear();
      return unexpected(b.error());
    }
    if (i == 0) bound = *b;
    loops_.push_back(std::move(loop));
  }
  for (const auto& b : bound) {
    log_.info("listening", {{"address", b},
                            {"single_port", settings_.single_port},
                            {"threads", threads},
                            {"root", settings_.root}});
  }
  for (auto& loop : loops_) {
    threads_.emplace_back([l = loop.get()] { l->run(); });
  }
  return bound;
}

void Server::stop(std::chrono::milliseconds drain) {
  if (threads_.empty()) return;
  for (auto& loop : loops_) loop->request_stop(drain);
  for (auto& t : threads_) t.join();
  threads_.clear();
  log_.info("stopped", {});
}

bool Server::serving() const { return !threads_.empty(); }

std::size_t Server::active_transfers() const { return total_active_.load(); }

}  // namespace ferrum::tftp
