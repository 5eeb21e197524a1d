#pragma once
// The WireGuard interface linkd owns, behind one narrow interface with two real
// implementations: the kernel's WireGuard (generic netlink, libmnl) and wireguard-go (a
// child process driven over its UAPI socket). open_wg_device() creates and configures the
// interface (private key, UDP port, server address prefix::1/64, link up) and picks the
// backend for "auto".
//
// apply()/status() are called from one thread (PeerSync); both are bounded by a timeout.

#include <chrono>
#include <memory>
#include <string>

#include "ferrum/expected.hpp"
#include "ferrum/log.hpp"
#include "ferrum/siderolink_address.hpp"
#include "uapi_codec.hpp"

namespace ferrum::linkd {

class WgDevice {
 public:
  virtual ~WgDevice() = default;
  // "" when applied; otherwise what failed (the change may be partly applied: callers read
  // status() back before the next diff).
  virtual std::string apply(const DeviceChange& change) = 0;
  virtual Expected<DeviceStatus, std::string> status() = 0;
  virtual std::string backend() const = 0;
};

struct WgDeviceOptions {
  std::string backend;  // kernel | userspace | auto
  std::string interface_name;
  std::string wireguard_go;
  std::uint16_t listen_port = 0;
  WgKey private_key;
  siderolink::Ipv6Bytes server_address{};
  std::chrono::milliseconds timeout{5000};
};

Expected<std::unique_ptr<WgDevice>, std::string> open_wg_device(const WgDeviceOptions& options,
                                                                const log::Logger& log);

// Whether the running kernel has WireGuard (the "wireguard" generic netlink family); the
// error says why not.
std::string kernel_wireguard_missing();

// Talks to one wireguard-go UAPI socket (a request per connection).
class UapiClient {
 public:
  UapiClient(std::string socket_path, std::chrono::milliseconds timeout)
      : path_(std::move(socket_path)), timeout_(timeout) {}
  // The whole reply (through "errno=N\n\n"), or an error.
  Expected<std::string, std::string> exchange(const std::string& request) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::chrono::milliseconds timeout_;
};

std::string uapi_socket_path(const std::string& interface_name);

}  // namespace ferrum::linkd
