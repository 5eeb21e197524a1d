#include <array>

#include "ferrum/model/hardware.hpp"

namespace ferrum::model {
namespace {

using nlohmann::json;

void put(json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}
void put(json& j, const char* key, std::uint64_t v) {
  if (v != 0) j[key] = v;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// Negative or fractional values are not valid inventory numbers: they read as unset.
template <typename T>
T num(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return T{};
  if (it->is_number_unsigned()) return static_cast<T>(it->get<std::uint64_t>());
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0) {
    return static_cast<T>(it->get<std::int64_t>());
  }
  return T{};
}

template <typename T>
void put_list(json& j, const char* key, const std::vector<T>& v) {
  if (!v.empty()) j[key] = v;
}

template <typename T>
std::vector<T> list(const json& j, const char* key) {
  std::vector<T> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& item : *it) {
    // Go's []*T decodes null entries as nil pointers; skip them here.
    if (item.is_object()) out.push_back(item.get<T>());
  }
  return out;
}

template <typename T>
void put_opt(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

template <typename T>
std::optional<T> opt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return std::nullopt;
  return it->get<T>();
}

constexpr std::array<std::string_view, 7> kSystemFields{
    "uuid", "manufacturer", "productName", "version", "serialNumber", "skuNumber", "family"};
constexpr std::array<std::string_view, 4> kComputeFields{"totalCoreCount", "totalThreadCount",
                                                         "processorCount", "processors"};
constexpr std::array<std::string_view, 3> kMemoryFields{"totalSize", "moduleCount", "modules"};
constexpr std::array<std::string_view, 3> kStorageFields{"totalSize", "deviceCount", "devices"};
constexpr std::array<std::string_view, 2> kNetworkFields{"interfaceCount", "interfaces"};

}  // namespace

std::span<const std::string_view> hardware_section_fields(std::string_view section) {
  if (section == "system") return kSystemFields;
  if (section == "compute") return kComputeFields;
  if (section == "memory") return kMemoryFields;
  if (section == "storage") return kStorageFields;
  if (section == "network") return kNetworkFields;
  return {};
}

void to_json(json& j, const SystemInformation& v) {
  j = json::object();
  put(j, "uuid", v.uuid);
  put(j, "manufacturer", v.manufacturer);
  put(j, "productName", v.product_name);
  put(j, "version", v.version);
  put(j, "serialNumber", v.serial_number);
  put(j, "skuNumber", v.sku_number);
  put(j, "family", v.family);
}
void from_json(const json& j, SystemInformation& v) {
  v = {};
  if (!j.is_object()) return;
  v.uuid = str(j, "uuid");
  v.manufacturer = str(j, "manufacturer");
  v.product_name = str(j, "productName");
  v.version = str(j, "version");
  v.serial_number = str(j, "serialNumber");
  v.sku_number = str(j, "skuNumber");
  v.family = str(j, "family");
}

void to_json(json& j, const Processor& v) {
  j = json::object();
  put(j, "manufacturer", v.manufacturer);
  put(j, "productName", v.product_name);
  put(j, "serialNumber", v.serial_number);
  put(j, "speed", v.speed);
  put(j, "coreCount", v.core_count);
  put(j, "threadCount", v.thread_count);
}
void from_json(const json& j, Processor& v) {
  v = {};
  if (!j.is_object()) return;
  v.manufacturer = str(j, "manufacturer");
  v.product_name = str(j, "productName");
  v.serial_number = str(j, "serialNumber");
  v.speed = num<std::uint32_t>(j, "speed");
  v.core_count = num<std::uint32_t>(j, "coreCount");
  v.thread_count = num<std::uint32_t>(j, "threadCount");
}

void to_json(json& j, const ComputeInformation& v) {
  j = json::object();
  put(j, "totalCoreCount", v.total_core_count);
  put(j, "totalThreadCount", v.total_thread_count);
  put(j, "processorCount", v.processor_count);
  put_list(j, "processors", v.processors);
}
void from_json(const json& j, ComputeInformation& v) {
  v = {};
  if (!j.is_object()) return;
  v.total_core_count = num<std::uint32_t>(j, "totalCoreCount");
  v.total_thread_count = num<std::uint32_t>(j, "totalThreadCount");
  v.processor_count = num<std::uint32_t>(j, "processorCount");
  v.processors = list<Processor>(j, "processors");
}

void to_json(json& j, const MemoryModule& v) {
  j = json::object();
  put(j, "manufacturer", v.manufacturer);
  put(j, "productName", v.product_name);
  put(j, "serialNumber", v.serial_number);
  put(j, "type", v.type);
  put(j, "size", v.size);
  put(j, "speed", v.speed);
}
void from_json(const json& j, MemoryModule& v) {
  v = {};
  if (!j.is_object()) return;
  v.manufacturer = str(j, "manufacturer");
  v.product_name = str(j, "productName");
  v.serial_number = str(j, "serialNumber");
  v.type = str(j, "type");
  v.size = num<std::uint32_t>(j, "size");
  v.speed = num<std::uint32_t>(j, "speed");
}

void to_json(json& j, const MemoryInformation& v) {
  j = json::object();
  put(j, "totalSize", v.total_size);
  put(j, "moduleCount", v.module_count);
  put_list(j, "modules", v.modules);
}
void from_json(const json& j, MemoryInformation& v) {
  v = {};
  if (!j.is_object()) return;
  v.total_size = str(j, "totalSize");
  v.module_count = num<std::uint32_t>(j, "moduleCount");
  v.modules = list<MemoryModule>(j, "modules");
}

void to_json(json& j, const StorageDevice& v) {
  j = json::object();
  put(j, "type", v.type);
  put(j, "size", v.size);
  put(j, "productName", v.product_name);
  put(j, "serialNumber", v.serial_number);
  put(j, "name", v.name);
  put(j, "deviceName", v.device_name);
  put(j, "uuid", v.uuid);
  put(j, "wwid", v.wwid);
}
void from_json(const json& j, StorageDevice& v) {
  v = {};
  if (!j.is_object()) return;
  v.type = str(j, "type");
  v.size = num<std::uint64_t>(j, "size");
  v.product_name = str(j, "productName");
  v.serial_number = str(j, "serialNumber");
  v.name = str(j, "name");
  v.device_name = str(j, "deviceName");
  v.uuid = str(j, "uuid");
  v.wwid = str(j, "wwid");
}

void to_json(json& j, const StorageInformation& v) {
  j = json::object();
  put(j, "totalSize", v.total_size);
  put(j, "deviceCount", v.device_count);
  put_list(j, "devices", v.devices);
}
void from_json(const json& j, StorageInformation& v) {
  v = {};
  if (!j.is_object()) return;
  v.total_size = str(j, "totalSize");
  v.device_count = num<std::uint32_t>(j, "deviceCount");
  v.devices = list<StorageDevice>(j, "devices");
}

void to_json(json& j, const NetworkInterface& v) {
  j = json::object();
  put(j, "index", v.index);
  put(j, "name", v.name);
  put(j, "flags", v.flags);
  put(j, "mtu", v.mtu);
  put(j, "mac", v.mac);
  if (!v.addresses.empty()) j["addresses"] = v.addresses;
}
void from_json(const json& j, NetworkInterface& v) {
  v = {};
  if (!j.is_object()) return;
  v.index = num<std::uint32_t>(j, "index");
  v.name = str(j, "name");
  v.flags = str(j, "flags");
  v.mtu = num<std::uint32_t>(j, "mtu");
  v.mac = str(j, "mac");
  auto it = j.find("addresses");
  if (it != j.end() && it->is_array()) {
    for (const auto& a : *it) {
      if (a.is_string()) v.addresses.push_back(a.get<std::string>());
    }
  }
}

void to_json(json& j, const NetworkInformation& v) {
  j = json::object();
  put(j, "interfaceCount", v.interface_count);
  put_list(j, "interfaces", v.interfaces);
}
void from_json(const json& j, NetworkInformation& v) {
  v = {};
  if (!j.is_object()) return;
  v.interface_count = num<std::uint32_t>(j, "interfaceCount");
  v.interfaces = list<NetworkInterface>(j, "interfaces");
}

void to_json(json& j, const HardwareInformation& v) {
  j = json::object();
  put_opt(j, "system", v.system);
  put_opt(j, "compute", v.compute);
  put_opt(j, "memory", v.memory);
  put_opt(j, "storage", v.storage);
  put_opt(j, "network", v.network);
}
void from_json(const json& j, HardwareInformation& v) {
  v = {};
  if (!j.is_object()) return;
  v.system = opt<SystemInformation>(j, "system");
  v.compute = opt<ComputeInformation>(j, "compute");
  v.memory = opt<MemoryInformation>(j, "memory");
  v.storage = opt<StorageInformation>(j, "storage");
  v.network = opt<NetworkInformation>(j, "network");
}

}  // namespace ferrum::model
