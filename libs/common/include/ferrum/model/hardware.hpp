#pragma once
// Server hardware inventory (Server spec.hardware, ServerClass qualifiers.hardware[]) as plain
// values for reading. to_json omits zero values like the Go types' `omitempty`; from_json is
// tolerant of missing or mistyped fields. These structs drop unknown fields, so code that
// writes a Server goes through Server::set_hardware, which keeps them.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ferrum::model {

struct SystemInformation {
  std::string uuid;
  std::string manufacturer;
  std::string product_name;
  std::string version;
  std::string serial_number;
  std::string sku_number;
  std::string family;
  bool operator==(const SystemInformation&) const = default;
};

struct Processor {
  std::string manufacturer;
  std::string product_name;
  std::string serial_number;
  std::uint32_t speed = 0;  // MHz
  std::uint32_t core_count = 0;
  std::uint32_t thread_count = 0;
  bool operator==(const Processor&) const = default;
};

struct ComputeInformation {
  std::uint32_t total_core_count = 0;
  std::uint32_t total_thread_count = 0;
  std::uint32_t processor_count = 0;
  std::vector<Processor> processors;
  bool operator==(const ComputeInformation&) const = default;
};

struct MemoryModule {
  std::string manufacturer;
  std::string product_name;
  std::string serial_number;
  std::string type;
  std::uint32_t size = 0;   // MB
  std::uint32_t speed = 0;  // MT/s
  bool operator==(const MemoryModule&) const = default;
};

struct MemoryInformation {
  std::string total_size;  // human readable, e.g. "32 GB"
  std::uint32_t module_count = 0;
  std::vector<MemoryModule> modules;
  bool operator==(const MemoryInformation&) const = default;
};

struct StorageDevice {
  std::string type;
  std::uint64_t size = 0;  // bytes
  std::string product_name;
  std::string serial_number;
  std::string name;
  std::string device_name;
  std::string uuid;
  std::string wwid;
  bool operator==(const StorageDevice&) const = default;
};

struct StorageInformation {
  std::string total_size;
  std::uint32_t device_count = 0;
  std::vector<StorageDevice> devices;
  bool operator==(const StorageInformation&) const = default;
};

struct NetworkInterface {
  std::uint32_t index = 0;
  std::string name;
  std::string flags;
  std::uint32_t mtu = 0;
  std::string mac;
  std::vector<std::string> addresses;
  bool operator==(const NetworkInterface&) const = default;
};

struct NetworkInformation {
  std::uint32_t interface_count = 0;
  std::vector<NetworkInterface> interfaces;
  bool operator==(const NetworkInformation&) const = default;
};

struct HardwareInformation {
  std::optional<SystemInformation> system;
  std::optional<ComputeInformation> compute;
  std::optional<MemoryInformation> memory;
  std::optional<StorageInformation> storage;
  std::optional<NetworkInformation> network;
  bool operator==(const HardwareInformation&) const = default;
};

void to_json(nlohmann::json& j, const SystemInformation& v);
void from_json(const nlohmann::json& j, SystemInformation& v);
void to_json(nlohmann::json& j, const Processor& v);
void from_json(const nlohmann::json& j, Processor& v);
void to_json(nlohmann::json& j, const ComputeInformation& v);
void from_json(const nlohmann::json& j, ComputeInformation& v);
void to_json(nlohmann::json& j, const MemoryModule& v);
void from_json(const nlohmann::json& j, MemoryModule& v);
void to_json(nlohmann::json& j, const MemoryInformation& v);
void from_json(const nlohmann::json& j, MemoryInformation& v);
void to_json(nlohmann::json& j, const StorageDevice& v);
void from_json(const nlohmann::json& j, StorageDevice& v);
void to_json(nlohmann::json& j, const StorageInformation& v);
void from_json(const nlohmann::json& j, StorageInformation& v);
void to_json(nlohmann::json& j, const NetworkInterface& v);
void from_json(const nlohmann::json& j, NetworkInterface& v);
void to_json(nlohmann::json& j, const NetworkInformation& v);
void from_json(const nlohmann::json& j, NetworkInformation& v);
void to_json(nlohmann::json& j, const HardwareInformation& v);
void from_json(const nlohmann::json& j, HardwareInformation& v);

// The JSON keys Ferrum models in a hardware section ("system", "compute", "memory",
// "storage", "network"); empty for anything else. Used to merge without losing unknown keys.
std::span<const std::string_view> hardware_section_fields(std::string_view section);

}  // namespace ferrum::model
