#pragma once
// Bounds on what an agent may report, checked before anything is written.
//
// An agent is unauthenticated (any machine that PXE-boots the agent environment may call
// CreateServer), and what it reports becomes a Server object in etcd or SQLite, read by every
// daemon's informer. Without bounds one call of 1 MiB (--max-message-bytes) expands to a
// Server of 1.5 MB of JSON (10,000 empty disks), at etcd's request limit (1.5 MiB), and strings
// of control characters reach logs and `kubectl get`. The limits are generous for real
// servers: the largest 4-socket machines have 96 DIMM slots, JBOD heads a few hundred disks,
// NIC counts stay in the tens before SR-IOV (the agent runs before VFs exist); SMBIOS strings
// are at most 255 bytes, a WWID or a path a few hundred. Each limit is a flag (settings.cpp).
//
// Contract: check_request() walks every field of the request (by protobuf reflection, so a
// field added to agent.proto is covered too) and returns the first violation as a message
// naming the field with the proto path ("hardware.storage.devices[3].serial") and the flag
// that sets the limit; empty when the request is within bounds. Repeated fields are counted
// before their entries are looked at. Strings must be valid UTF-8 without control characters
// (C0, DEL, C1): they end up in JSON, logs and terminal output.
// check_inventory_size() bounds the JSON of the mapped spec.hardware (what etcd stores).

#include <google/protobuf/message.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "ferrum/model/hardware.hpp"

namespace ferrum::registry {

struct InventoryLimits {
  std::int64_t max_processors = 64;
  std::int64_t max_memory_modules = 512;
  std::int64_t max_storage_devices = 256;
  std::int64_t max_network_interfaces = 128;
  std::int64_t max_addresses = 64;  // per interface, and per ReconcileServerAddresses call
  std::int64_t max_string_bytes = 1024;
  // Well under etcd's 1.5 MiB per object: the Server also carries operators' config patches
  // and status. A 256-disk, 128-NIC server with realistic strings needs about 90 KiB.
  std::int64_t max_inventory_bytes = 256 * 1024;
};

// The hostname's own bound (a DNS name), checked with the other strings.
inline constexpr std::size_t kMaxHostnameBytes = 253;

std::string check_request(const google::protobuf::Message& request, const InventoryLimits& limits);

// A string field's problem (empty: fine): too long, not UTF-8, or a control character.
std::string check_string(std::string_view field, std::string_view value, std::size_t max_bytes,
                         std::string_view flag);

std::string check_inventory_size(const model::HardwareInformation& hw,
                                 const InventoryLimits& limits);

}  // namespace ferrum::registry
