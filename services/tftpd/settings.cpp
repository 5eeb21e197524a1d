#include "settings.hpp"

#include "ferrum/net.hpp"

namespace ferrum::tftp {

void add_flags(flags::FlagSet& f, Settings& s) {
  f.add_list("listen", &s.listen, {"0.0.0.0:69"},
             "UDP addresses to serve TFTP on (host:port, [addr]:port for IPv6, comma-separated "
             "or repeated; [::]:69 serves IPv4 and IPv6).");
  f.add_string("root", &s.root, "/var/lib/ferrum/tftp",
               "Directory served; requests never resolve outside it.");
  f.add_bool("single-port", &s.single_port, false,
             "Run every transfer on the listen socket (for Kubernetes Services) instead of a "
             "new ephemeral port per transfer.");
  f.add_int("max-blksize", &s.max_blksize, 1468,
            "Largest blksize granted (RFC 2348); larger requests are clamped.", 8, 65464);
  f.add_int("max-windowsize", &s.max_windowsize, 64,
            "Largest windowsize granted (RFC 7440); larger requests are clamped.", 1, 65535);
  f.add_duration("timeout", &s.timeout, std::chrono::seconds(1),
                 "Retransmission timeout when the client asks for none (RFC 2349 timeout option "
                 "overrides it per transfer).");
  f.add_int("retries", &s.retries, 5,
            "Retransmissions in a row without an ACK before a transfer is dropped.", 0, 100);
  f.add_int("max-transfers", &s.max_transfers, 4096,
            "Most transfers at once; further requests get error 0 \"server busy\".", 1, 1 << 20);
  // Per source address (source_limiter.hpp says why); 0 switches a limit off. Behind a NAT
  // (a Kubernetes Service with externalTrafficPolicy: Cluster) every client has one address:
  // raise or switch them off there.
  SourceLimits d;
  auto& ps = s.per_source;
  f.add_int("max-transfers-per-source", &ps.max_transfers_per_source, d.max_transfers_per_source,
            "Most transfers at once for one client address (a PXE client runs one); further "
            "requests get error 0 \"too many transfers from this address\". 0: no limit.",
            0, 1 << 20);
  f.add_int("request-rate-per-source", &ps.requests_per_second, d.requests_per_second,
            "Requests per second one client address may send on average (token bucket); "
            "requests beyond it are dropped unanswered. 0: no limit.",
            0, 1 << 20);
  f.add_int("request-burst-per-source", &ps.request_burst, d.request_burst,
            "Requests one client address may send at once above --request-rate-per-source.", 1,
            1 << 20);
  f.add_int("unacked-retransmissions-per-source", &ps.unacked_retransmissions,
            d.unacked_retransmissions,
            "Retransmissions to a client address that has not acknowledged any packet yet; "
            "beyond them its unacknowledged transfers are dropped (a forged source address "
            "never ACKs). 0: no limit.",
            0, 1 << 20);
  f.add_int("max-sources", &ps.max_sources, d.max_sources,
            "Client addresses tracked for the per-source limits; when that many sent requests "
            "recently, requests from new addresses are dropped. 0: no limit.",
            0, 1 << 24);
  f.add_int("threads", &s.threads, 0,
            "Event loop threads (0: one per CPU, at most 8). Each binds the listen addresses "
            "with SO_REUSEPORT; the kernel keeps each client on one thread.",
            0, 64);
  f.add_int("cache-max-bytes", &s.cache_max_bytes, 256ll << 20,
            "Memory for cached file contents (least recently used evicted first).", 0, 1ll << 40);
  f.add_int("cache-max-file-bytes", &s.cache_max_file_bytes, 32ll << 20,
            "Files up to this size are served from memory; larger ones stream from disk.", 0,
            1ll << 40);
}

std::string validate(const Settings& s) {
  if (s.listen.empty()) return "--listen: at least one address is required";
  for (const auto& l : s.listen) {
    auto hp = net::parse_host_port(l);
    if (!hp) return "--listen " + l + ": " + hp.error();
    auto addr = net::listen_address(*hp);
    if (!addr) return "--listen " + l + ": " + addr.error();
  }
  if (s.timeout < std::chrono::milliseconds(10) || s.timeout > std::chrono::seconds(255)) {
    return "--timeout: must be between 10ms and 255s";
  }
  if (s.root.empty()) return "--root: must not be empty";
  return {};
}

}  // namespace ferrum::tftp
