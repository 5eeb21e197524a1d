#include "inventory_limits.hpp"

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>

#include <nlohmann/json.hpp>

#include "ferrum/percent_encoding.hpp"

namespace ferrum::registry {

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Repeated fields agent.proto may add later get this bound until they get a flag.
constexpr std::int64_t kMaxUnlistedEntries = 256;

struct CountLimit {
  std::int64_t max;
  std::string_view flag;
};

CountLimit count_limit(const FieldDescriptor& f, const InventoryLimits& l) {
  const std::string& n = f.full_name();
  if (n == "api.ComputeInformation.processors") return {l.max_processors, "--max-processors"};
  if (n == "api.MemoryInformation.modules") return {l.max_memory_modules, "--max-memory-modules"};
  if (n == "api.StorageInformation.devices") {
    return {l.max_storage_devices, "--max-storage-devices"};
  }
  if (n == "api.NetworkInformation.interfaces") {
    return {l.max_network_interfaces, "--max-network-interfaces"};
  }
  if (n == "api.NetworkInterface.addresses" || n == "api.ReconcileServerAddressesRequest.address") {
    return {l.max_addresses, "--max-addresses"};
  }
  return {kMaxUnlistedEntries, ""};
}

std::string check_message(const Message& m, const std::string& prefix, const InventoryLimits& l);

std::string check_field(const Message& m, const FieldDescriptor& f, const std::string& path,
                        const InventoryLimits& l) {
  const auto* r = m.GetReflection();
  const bool hostname = f.full_name() == "api.CreateServerRequest.hostname";
  const std::size_t max_bytes =
      hostname ? kMaxHostnameBytes : static_cast<std::size_t>(l.max_string_bytes);
  const std::string_view string_flag = hostname ? "" : "--max-string-bytes";
  std::string scratch;
  if (f.is_repeated()) {
    const int n = r->FieldSize(m, &f);
    auto limit = count_limit(f, l);
    if (n > limit.max) {
      return fmt::format("{}: {} entries, at most {}{}", path, n, limit.max,
                         limit.flag.empty() ? "" : fmt::format(" ({})", limit.flag));
    }
    for (int i = 0; i < n; ++i) {
      std::string item = fmt::format("{}[{}]", path, i);
      std::string err;
      if (f.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        err = check_message(r->GetRepeatedMessage(m, &f, i), item, l);
      } else if (f.cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        err = check_string(item, r->GetRepeatedStringReference(m, &f, i, &scratch), max_bytes,
                           string_flag);
      }
      if (!err.empty()) return err;
    }
    return {};
  }
  if (f.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return r->HasField(m, &f) ? check_message(r->GetMessage(m, &f), path, l) : std::string();
  }
  if (f.cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    return check_string(path, r->GetStringReference(m, &f, &scratch), max_bytes, string_flag);
  }
  return {};
}

std::string check_message(const Message& m, const std::string& prefix, const InventoryLimits& l) {
  const auto* d = m.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const auto& f = *d->field(i);
    std::string path = prefix.empty() ? f.name() : prefix + "." + f.name();
    if (auto err = check_field(m, f, path, l); !err.empty()) return err;
  }
  return {};
}

}  // namespace

std::string check_string(std::string_view field, std::string_view value, std::size_t max_bytes,
                         std::string_view flag) {
  if (value.size() > max_bytes) {
    return fmt::format("{}: {} bytes, at most {}{}", field, value.size(), max_bytes,
                       flag.empty() ? "" : fmt::format(" ({})", flag));
  }
  if (!is_valid_utf8(value)) return fmt::format("{}: not valid UTF-8", field);
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    unsigned code = 0;
    if (c < 0x20 || c == 0x7f) {
      code = c;
    } else if (c == 0xc2 && i + 1 < value.size()) {
      // U+0080..U+009F (C1 controls) are C2 80..C2 9F in UTF-8.
      auto next = static_cast<unsigned char>(value[i + 1]);
      if (next <= 0x9f) code = next;
    }
    if (code != 0 || c == 0) {
      return fmt::format("{}: control character U+{:04X} at byte {}", field, code, i);
    }
  }
  return {};
}

std::string check_request(const google::protobuf::Message& request, const InventoryLimits& limits) {
  return check_message(request, "", limits);
}

std::string check_inventory_size(const model::HardwareInformation& hw,
                                 const InventoryLimits& limits) {
  // The strings were checked (valid UTF-8), so dump() cannot throw.
  std::size_t bytes = nlohmann::json(hw).dump().size();
  if (bytes > static_cast<std::size_t>(limits.max_inventory_bytes)) {
    return fmt::format(
        "hardware: {} bytes as spec.hardware JSON, at most {} (--max-inventory-bytes)", bytes,
        limits.max_inventory_bytes);
  }
  return {};
}

}  // namespace ferrum::registry
