// tftp_load: a TFTP load generator that fetches a file the way OVMF does (RRQ with
// "tsize 0, blksize B, windowsize W"), keeping C transfers in flight on one epoll thread for
// a fixed duration. Each transfer uses a fresh UDP socket (a fresh client TID); the receiver
// follows RFC 7440 (ACK each full window and the last block; on a gap, ACK the last in-order
// block) and checks the received size against tsize and the content against --verify.
//
// Output: one JSON line with transfers (completed), failures, transfers/s (completed per
// second), MB/s (every in-order payload byte received, unfinished transfers included, so
// long transfers at high C are not under-counted), p50/p99 transfer seconds.
// --stall: start C transfers, ACK only the OACK, hold them for --duration (memory probe).
//
// Usage: tftp_load --server 127.0.0.1:69 --file f --clients 64 --windowsize 4
//                  [--blksize 1468] [--duration 10] [--verify local-copy] [--stall]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "packet.hpp"

using namespace ferrum::tftp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 69;
  std::string file;
  int clients = 1;
  std::uint32_t windowsize = 1;
  std::uint32_t blksize = 1468;
  double duration = 10;
  std::string verify;
  bool stall = false;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(
      stderr,
      "tftp_load: %s\nusage: tftp_load --server HOST:PORT --file NAME "
      "--clients C --windowsize W [--blksize B] [--duration S] [--verify FILE] [--stall]\n",
      why);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--server") {
      std::string s = next();
      auto colon = s.rfind(':');
      if (colon == std::string::npos) usage("--server wants HOST:PORT");
      o.host = s.substr(0, colon);
      o.port = static_cast<std::uint16_t>(std::stoi(s.substr(colon + 1)));
    } else if (a == "--file") {
      o.file = next();
    } else if (a == "--clients") {
      o.clients = std::stoi(next());
    } else if (a == "--windowsize") {
      o.windowsize = static_cast<std::uint32_t>(std::stoul(next()));
    } else if (a == "--blksize") {
      o.blksize = static_cast<std::uint32_t>(std::stoul(next()));
    } else if (a == "--duration") {
      o.duration = std::stod(next());
    } else if (a == "--verify") {
      o.verify = next();
    } else if (a == "--stall") {
      o.stall = true;
    } else {
      usage(("unknown argument " + a).c_str());
    }
  }
  if (o.file.empty()) usage("--file is required");
  if (o.clients < 1) usage("--clients must be >= 1");
  return o;
}

struct Session {
  int fd = -1;
  bool started_data = false;
  bool got_any = false;
  std::uint16_t tid = 0;
  std::uint32_t blksize = 512;
  std::uint32_t window = 1;
  std::uint64_t tsize = 0;
  bool have_tsize = false;
  std::uint64_t expected = 1;  // absolute block number
  std::uint32_t in_window = 0;
  std::uint64_t received = 0;
  bool mismatch = false;
  Clock::time_point started;
  Clock::time_point last_packet;
  int timeouts = 0;
};

class Load {
 public:
  explicit Load(Options o) : o_(std::move(o)) {
    if (!o_.verify.empty()) {
      std::ifstream in(o_.verify, std::ios::binary);
      expected_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    server_.sin_family = AF_INET;
    server_.sin_port = htons(o_.port);
    if (::inet_pton(AF_INET, o_.host.c_str(), &server_.sin_addr) != 1)
      usage("--server host must be IPv4");
    ep_ = ::epoll_create1(0);
    request_ = encode_request(Opcode::kRrq, o_.file, Mode::kOctet,
                              {{"tsize", "0"},
                               {"blksize", std::to_string(o_.blksize)},
                               {"windowsize", std::to_string(o_.windowsize)}});
    sessions_.resize(static_cast<std::size_t>(o_.clients));
    buf_.resize(70000);
  }

  int run() {
    auto t0 = Clock::now();
    auto end = t0 + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(o_.duration));
    for (std::size_t i = 0; i < sessions_.size(); ++i) begin(i);
    std::vector<epoll_event> events(256);
    while (true) {
      auto now = Clock::now();
      if (now >= end) break;
      int n = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()), 50);
      now = Clock::now();
      for (int k = 0; k < n; ++k)
        on_readable(events[static_cast<std::size_t>(k)].data.u32, now, now < end);
      // Receiver timeouts (1 s without a packet): re-ACK, or re-send the request.
      if (now - last_sweep_ > std::chrono::milliseconds(100)) {
        last_sweep_ = now;
        for (std::size_t i = 0; i < sessions_.size(); ++i) {
          Session& s = sessions_[i];
          if (s.fd < 0 || now - s.last_packet < std::chrono::seconds(1)) continue;
          if (o_.stall) continue;
          if (++s.timeouts > 5) {
            ++failures_;
            restart(i, now < end);
            continue;
          }
          s.last_packet = now;
          if (!s.got_any) {
            send_server(s, request_);
          } else {
            ack(s, s.started_data ? s.expected - 1 : 0);
          }
        }
      }
    }
    double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    std::sort(durations_.begin(), durations_.end());
    auto pct = [&](double p) {
      if (durations_.empty()) return 0.0;
      auto idx = static_cast<std::size_t>(p * static_cast<double>(durations_.size() - 1));
      return durations_[idx];
    };
    if (o_.stall) {
      std::size_t held = 0;
      for (auto& s : sessions_) held += s.got_any ? 1 : 0;
      std::printf("{\"stalled_transfers\":%zu}\n", held);
      return 0;
    }
    std::printf(
        "{\"clients\":%d,\"windowsize\":%u,\"blksize\":%u,\"seconds\":%.3f,\"transfers\":%zu,"
        "\"failures\":%llu,\"corrupt\":%llu,\"transfers_per_s\":%.1f,\"mb_per_s\":%.1f,"
        "\"p50_s\":%.4f,\"p99_s\":%.4f}\n",
        o_.clients, o_.windowsize, o_.blksize, elapsed, durations_.size(),
        static_cast<unsigned long long>(failures_), static_cast<unsigned long long>(corrupt_),
        static_cast<double>(durations_.size()) / elapsed,
        static_cast<double>(bytes_) / elapsed / 1e6, pct(0.5), pct(0.99));
    return corrupt_ == 0 ? 0 : 1;
  }

 private:
  void begin(std::size_t i) {
    Session& s = sessions_[i];
    s = Session{};
    s.fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int size = 1 << 20;
    ::setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(ep_, EPOLL_CTL_ADD, s.fd, &e);
    s.started = s.last_packet = Clock::now();
    send_server(s, request_);
  }

  void restart(std::size_t i, bool again) {
    Session& s = sessions_[i];
    ::close(s.fd);
    s.fd = -1;
    if (again) begin(i);
  }

  void send_server(Session& s, const std::vector<std::uint8_t>& bytes) {
    ::sendto(s.fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&server_),
             sizeof(server_));
  }

  void ack(Session& s, std::uint64_t block) {
    std::uint8_t b[4];
    encode_ack(std::span(b, 4), static_cast<std::uint16_t>(block & 0xffff));
    sockaddr_in to = server_;
    to.sin_port = htons(s.tid);
    ::sendto(s.fd, b, 4, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  }

  void on_readable(std::uint32_t i, Clock::time_point now, bool again) {
    Session& s = sessions_[i];
    // Lockstep: one datagram per readiness event (level-triggered epoll reports the rest),
    // saving an EAGAIN recv per block. Windows: drain the socket, a window arrives at once.
    const int rounds = o_.windowsize > 1 ? 64 : 1;
    for (int round = 0; round < rounds && s.fd >= 0; ++round) {
      sockaddr_in from{};
      socklen_t len = sizeof(from);
      ssize_t n =
          ::recvfrom(s.fd, buf_.data(), buf_.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0) return;
      auto d = decode(std::span<const std::uint8_t>(buf_.data(), static_cast<std::size_t>(n)));
      if (!d) continue;
      std::uint16_t port = ntohs(from.sin_port);
      if (!s.got_any) {
        s.got_any = true;
        s.tid = port;
      } else if (port != s.tid) {
        continue;
      }
      s.last_packet = now;
      s.timeouts = 0;
      auto& p = *d.packet;
      if (auto* oack = std::get_if<Oack>(&p)) {
        if (s.started_data) continue;
        for (auto& [k, v] : oack->options) {
          if (k == "blksize") s.blksize = static_cast<std::uint32_t>(std::stoul(v));
          if (k == "windowsize") s.window = static_cast<std::uint32_t>(std::stoul(v));
          if (k == "tsize") {
            s.tsize = std::stoull(v);
            s.have_tsize = true;
          }
        }
        ack(s, 0);
        if (o_.stall) return;
        continue;
      }
      if (auto* err = std::get_if<Error>(&p)) {
        (void)err;
        ++failures_;
        restart(i, again);
        return;
      }
      auto* data = std::get_if<Data>(&p);
      if (data == nullptr || o_.stall) continue;
      s.started_data = true;
      if (data->block != static_cast<std::uint16_t>(s.expected & 0xffff)) {
        // A gap (or a duplicate): tell the sender where we are, once per window.
        if (s.in_window != 0 ||
            data->block != static_cast<std::uint16_t>((s.expected - 1) & 0xffff)) {
          ack(s, s.expected - 1);
          s.in_window = 0;
        }
        continue;
      }
      std::uint64_t offset = (s.expected - 1) * s.blksize;
      if (!expected_.empty()) {
        if (offset + data->payload.size() > expected_.size() ||
            std::memcmp(expected_.data() + offset, data->payload.data(), data->payload.size()) !=
                0) {
          s.mismatch = true;
        }
      }
      s.received += data->payload.size();
      all_bytes_ += data->payload.size();
      bool last = data->payload.size() < s.blksize;
      ++s.in_window;
      if (last || s.in_window >= s.window) {
        ack(s, s.expected);
        s.in_window = 0;
      }
      ++s.expected;
      if (last) {
        bool bad = s.mismatch || (s.have_tsize && s.received != s.tsize) ||
                   (!expected_.empty() && s.received != expected_.size());
        if (bad) ++corrupt_;
        durations_.push_back(std::chrono::duration<double>(now - s.started).count());
        bytes_ += s.received;
        restart(i, again);
        return;
      }
    }
  }

  Options o_;
  sockaddr_in server_{};
  int ep_ = -1;
  std::vector<std::uint8_t> request_;
  std::vector<Session> sessions_;
  std::vector<std::uint8_t> buf_;
  std::vector<char> expected_;
  std::vector<double> durations_;
  std::uint64_t bytes_ = 0;      // of completed transfers
  std::uint64_t all_bytes_ = 0;  // every in-order payload byte, unfinished transfers too
  std::uint64_t failures_ = 0;
  std::uint64_t corrupt_ = 0;
  Clock::time_point last_sweep_{};
};

}  // namespace

int main(int argc, char** argv) {
  rlimit nofile{};  // one socket per client
  if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    nofile.rlim_cur = nofile.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &nofile);
  }
  Load load(parse(argc, argv));
  return load.run();
}
