#include "registry_logic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <utility>

namespace ferrum::registry {

Expected<std::string, std::string> server_name_for_uuid(std::string_view uuid,
                                                        std::string_view field) {
  auto bad = [&](std::string_view why) {
    return unexpected(fmt::format("{} \"{}\": {}", field, uuid, why));
  };
  if (uuid.empty()) return bad("missing");
  if (uuid.size() != 36) return bad("not an SMBIOS UUID (8-4-4-4-12 hex digits)");
  std::string out;
  out.reserve(36);
  bool all_zero = true, all_f = true;
  for (std::size_t i = 0; i < uuid.size(); ++i) {
    char c = uuid[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return bad("not an SMBIOS UUID (8-4-4-4-12 hex digits)");
      out.push_back('-');
      continue;
    }
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return bad("not an SMBIOS UUID (8-4-4-4-12 hex digits)");
    }
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    all_zero = all_zero && l == '0';
    all_f = all_f && l == 'f';
    out.push_back(l);
  }
  if (all_zero || all_f) {
    return bad(
        "the firmware reports no UUID (all-zero or all-F), so this machine cannot be told "
        "apart from others; set the system UUID in the firmware");
  }
  return out;
}

std::string format_memory_total(std::uint32_t megabytes) {
  return fmt::format("{} GB", megabytes / 1024);
}

std::string format_storage_total(std::uint64_t bytes) {
  return fmt::format("{} GB", bytes / (1024ULL * 1024 * 1024));
}

std::string storage_type_name(int type) {
  if (api::StorageType_IsValid(type)) {
    return api::StorageType_Name(static_cast<api::StorageType>(type));
  }
  return "Unknown";
}

model::HardwareInformation map_hardware(const api::HardwareInformation& hw, std::string_view name) {
  model::HardwareInformation out;
  const auto& s = hw.system();
  out.system =
      model::SystemInformation{std::string(name), s.manufacturer(), s.product_name(), s.version(),
                               s.serial_number(), s.sku_number(),   s.family()};
  if (hw.has_compute()) {
    const auto& c = hw.compute();
    model::ComputeInformation ci{
        c.total_core_count(), c.total_thread_count(), c.processor_count(), {}};
    for (const auto& p : c.processors()) {
      ci.processors.push_back({p.manufacturer(), p.product_name(), p.serial_number(), p.speed(),
                               p.core_count(), p.thread_count()});
    }
    out.compute = std::move(ci);
  }
  if (hw.has_memory()) {
    const auto& m = hw.memory();
    model::MemoryInformation mi{format_memory_total(m.total_size()), m.module_count(), {}};
    for (const auto& mod : m.modules()) {
      mi.modules.push_back({mod.manufacturer(), mod.product_name(), mod.serial_number(), mod.type(),
                            mod.size(), mod.speed()});
    }
    out.memory = std::move(mi);
  }
  if (hw.has_storage()) {
    const auto& st = hw.storage();
    model::StorageInformation si{format_storage_total(st.total_size()), st.device_count(), {}};
    for (const auto& d : st.devices()) {
      si.devices.push_back({storage_type_name(d.type()), d.size(), d.model(), d.serial(), d.name(),
                            d.device_name(), d.uuid(), d.wwid()});
    }
    out.storage = std::move(si);
  }
  if (hw.has_network()) {
    const auto& n = hw.network();
    model::NetworkInformation ni{n.interface_count(), {}};
    for (const auto& i : n.interfaces()) {
      ni.interfaces.push_back({i.index(),
                               i.name(),
                               i.flags(),
                               i.mtu(),
                               i.mac(),
                               {i.addresses().begin(), i.addresses().end()}});
    }
    out.network = std::move(ni);
  }
  return out;
}

std::vector<std::string> reported_macs(const api::HardwareInformation& hw) {
  std::vector<std::string> out;
  for (const auto& i : hw.network().interfaces()) {
    if (!i.mac().empty()) out.push_back(i.mac());
  }
  return out;
}

api::CreateServerResponse answer_for(const model::Server& server, const AnswerPolicy& policy) {
  api::CreateServerResponse r;
  if (!server.accepted()) return r;
  // Only offer BMC set-up when nobody configured one: an operator's BMC entry wins.
  r.set_setup_bmc(policy.auto_bmc_setup && !server.bmc());
  if (!server.is_clean()) {
    r.set_wipe(true);
    r.set_insecure_wipe(policy.insecure_wipe);
    r.set_reboot_timeout(static_cast<double>(policy.reboot_timeout.count()));
  }
  return r;
}

bool is_valid_address_type(std::string_view type) {
  static constexpr std::array<std::string_view, 5> kTypes = {"Hostname", "InternalIP", "ExternalIP",
                                                             "InternalDNS", "ExternalDNS"};
  return std::find(kTypes.begin(), kTypes.end(), type) != kTypes.end();
}

Expected<std::vector<model::NodeAddress>, std::string> parse_addresses(
    const google::protobuf::RepeatedPtrField<api::Address>& in) {
  std::vector<model::NodeAddress> out;
  int i = 0;
  for (const auto& a : in) {
    if (!is_valid_address_type(a.type())) {
      return unexpected(fmt::format(
          "address[{}].type \"{}\": must be Hostname, InternalIP, ExternalIP, InternalDNS or "
          "ExternalDNS",
          i, a.type()));
    }
    if (a.address().empty() || a.address().size() > 253) {
      return unexpected(fmt::format("address[{}].address: must be 1 to 253 characters", i));
    }
    out.push_back({a.type(), a.address()});
    ++i;
  }
  return out;
}

std::vector<model::NodeAddress> merge_addresses(const std::vector<model::NodeAddress>& old,
                                                const std::vector<model::NodeAddress>& reported) {
  std::vector<model::NodeAddress> out;
  std::set<std::string> types;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& a : reported) {
    types.insert(a.type);
    if (seen.insert({a.type, a.address}).second) out.push_back(a);
  }
  for (const auto& a : old) {
    if (types.count(a.type) == 0 && seen.insert({a.type, a.address}).second) out.push_back(a);
  }
  return out;
}

std::string validate_bmc_info(const api::BMCInfo& info) {
  if (info.port() > 65535) return fmt::format("bmc_info.port {}: must be 0 to 65535", info.port());
  if (info.ip().size() > 253) return "bmc_info.ip: longer than 253 characters";
  for (char c : info.ip()) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != ':' && c != '-' &&
        c != '%' && c != '[' && c != ']') {
      return fmt::format("bmc_info.ip \"{}\": not an address or host name", info.ip());
    }
  }
  if (info.user().empty() != info.pass().empty()) {
    return "bmc_info.user and bmc_info.pass: give both or neither";
  }
  if (info.user().size() > 256 || info.pass().size() > 256) {
    return "bmc_info.user/pass: longer than 256 bytes";
  }
  return {};
}

model::Bmc bmc_spec_for(const std::optional<model::Bmc>& old, const api::BMCInfo& info,
                        std::string_view secret_namespace, std::string_view secret_name) {
  model::Bmc b = old.value_or(model::Bmc{});
  if (!info.ip().empty()) b.endpoint = info.ip();
  b.port = info.port() != 0 ? info.port() : kDefaultBmcPort;
  if (!info.user().empty()) {
    b.user.clear();
    b.pass.clear();
    auto ref = [&](std::string_view key) {
      return model::CredentialSource{model::SecretKeyRef{
          std::string(secret_namespace), std::string(secret_name), std::string(key)}};
    };
    b.user_from = ref("user");
    b.pass_from = ref("pass");
  }
  return b;
}

}  // namespace ferrum::registry
