#pragma once
// The bounds every Ferrum HTTP listener enforces, and the per-client-address accounting
// behind the connection caps. docs/security.md lists the values each daemon uses.
//
// Deadlines are totals, never re-armed by partial progress: a client that sends one byte
// every few seconds still loses its connection `head_timeout` after its request head began
// (slowloris). A new connection is "pending" until it completed its TLS handshake (TLS) or
// sent its first complete request head (plain); pending connections are bounded per client
// address, and `reserved_for_established` connections are kept for clients past that point,
// so idle connects from one or many addresses cannot take every slot.

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ferrum::http {

// Named bounds with no flag of their own.
// After answering a request whose body was refused (413), read and drop what the client still
// sends, at most this much for at most this long, so it sees the answer instead of a reset.
inline constexpr std::size_t kLingerMaxBytes = 64 * 1024 * 1024;
inline constexpr std::chrono::seconds kLingerTimeout{5};
// How long a TLS close_notify exchange may take when a connection ends.
inline constexpr std::chrono::seconds kTlsShutdownTimeout{2};
// How often each event loop checks its connections' deadlines (their resolution).
inline constexpr std::chrono::milliseconds kDeadlineSweepInterval{100};
// Largest piece of a file read into memory per write on TLS connections (no sendfile there).
inline constexpr std::size_t kTlsFileChunk = 64 * 1024;

struct Limits {
  std::size_t max_connections = 1024;
  // Open connections per client address; 0: no share (one address may take them all).
  std::size_t max_connections_per_client = 0;
  // Pending connections (no TLS handshake / first head yet) per client address; 0: unbounded.
  std::size_t max_pending_per_client = 0;
  // Connections only clients past their TLS handshake / first request head may use.
  std::size_t reserved_for_established = 0;
  std::chrono::milliseconds handshake_timeout{10'000};  // TLS handshake, total
  std::chrono::milliseconds head_timeout{10'000};       // one request head, total
  std::chrono::milliseconds idle_timeout{30'000};       // keep-alive wait for the next request
  std::chrono::milliseconds body_timeout{60'000};       // one request body, total
  std::chrono::milliseconds write_timeout{60'000};      // without write progress
  std::size_t max_head_bytes = 8 * 1024;
  std::size_t max_body_bytes = 0;  // 0: requests with a body get 413
};

enum class Refusal { kNone, kMaxConnections, kPerClient, kPendingPerClient, kPendingShare };
std::string_view refusal_name(Refusal r);  // metric label: "max_connections", ...

// Connection counts, total and per client address; thread-safe. admit() and the releases are
// called once per connection, at accept, after its handshake/first head, and at close.
class ConnectionTable {
 public:
  explicit ConnectionTable(const Limits& limits) : limits_(limits) {}

  Refusal admit(const boost::asio::ip::address& client);
  void established(const boost::asio::ip::address& client);  // pending -> established
  // Returns the open connections left.
  std::size_t release(const boost::asio::ip::address& client, bool was_pending);

  std::size_t open() const;
  std::size_t pending() const;
  std::size_t open_from(const boost::asio::ip::address& client) const;

 private:
  struct Counts {
    std::size_t open = 0;
    std::size_t pending = 0;
  };
  struct AddressHash {
    std::size_t operator()(const boost::asio::ip::address& a) const noexcept;
  };
  const Limits& limits_;
  mutable std::mutex mu_;
  std::unordered_map<boost::asio::ip::address, Counts, AddressHash> clients_;
  std::size_t open_ = 0;
  std::size_t pending_ = 0;
};

}  // namespace ferrum::http
