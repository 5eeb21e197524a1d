#include <array>

#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server.hpp"

namespace ferrum::model {
namespace {

constexpr std::array<std::string_view, 7> kBmcFields{"endpoint", "port",     "user",     "userFrom",
                                                     "pass",     "passFrom", "interface"};
constexpr std::array<std::string_view, 5> kHardwareSections{"system", "compute", "memory",
                                                            "storage", "network"};

}  // namespace

bool is_valid_boot_from_disk_method(std::string_view v) {
  return v == kBootFromDiskIpxeExit || v == kBootFromDiskHttp404 || v == kBootFromDiskIpxeSanboot;
}

bool is_valid_pxe_mode(std::string_view v) { return v == kPxeModeBios || v == kPxeModeUefi; }

Server Server::make(std::string_view uuid) {
  Server s;
  s.set_api_version(kServer.api_version());
  s.set_kind(kServer.kind);
  s.set_name(uuid);
  return s;
}

std::optional<ObjectReference> Server::environment_ref() const {
  return get_object_as<ObjectReference>(j_, {"spec", "environmentRef"});
}
void Server::set_environment_ref(const ObjectReference& ref) {
  set_field(j_, {"spec", "environmentRef"}, ref);
}
void Server::clear_environment_ref() { erase_field(j_, {"spec", "environmentRef"}); }

std::optional<std::string> Server::hostname() const { return get_string(j_, {"spec", "hostname"}); }
void Server::set_hostname(std::string_view v) { set_field(j_, {"spec", "hostname"}, v); }
void Server::clear_hostname() { erase_field(j_, {"spec", "hostname"}); }

bool Server::accepted() const { return bool_or_false({"spec", "accepted"}); }
void Server::set_accepted(bool v) { set_field(j_, {"spec", "accepted"}, v); }
bool Server::cordoned() const { return bool_or_false({"spec", "cordoned"}); }
void Server::set_cordoned(bool v) { set_field(j_, {"spec", "cordoned"}, v); }
bool Server::pxe_boot_always() const { return bool_or_false({"spec", "pxeBootAlways"}); }
void Server::set_pxe_boot_always(bool v) { set_field(j_, {"spec", "pxeBootAlways"}, v); }

std::optional<std::string> Server::boot_from_disk_method() const {
  return get_string(j_, {"spec", "bootFromDiskMethod"});
}
void Server::set_boot_from_disk_method(std::string_view v) {
  set_field(j_, {"spec", "bootFromDiskMethod"}, v);
}
void Server::clear_boot_from_disk_method() { erase_field(j_, {"spec", "bootFromDiskMethod"}); }

std::optional<std::string> Server::pxe_mode() const { return get_string(j_, {"spec", "pxeMode"}); }
void Server::set_pxe_mode(std::string_view v) { set_field(j_, {"spec", "pxeMode"}, v); }
void Server::clear_pxe_mode() { erase_field(j_, {"spec", "pxeMode"}); }

std::vector<ConfigPatch> Server::config_patches() const {
  return get_list_as<ConfigPatch>(j_, {"spec", "configPatches"});
}
void Server::set_config_patches(const std::vector<ConfigPatch>& v) {
  set_list_or_erase(j_, {"spec", "configPatches"}, v);
}

std::vector<std::string> Server::strategic_patches() const {
  return get_string_list(j_, {"spec", "strategicPatches"});
}
void Server::set_strategic_patches(const std::vector<std::string>& v) {
  set_list_or_erase(j_, {"spec", "strategicPatches"}, v);
}

std::optional<ManagementApi> Server::management_api() const {
  return get_object_as<ManagementApi>(j_, {"spec", "managementApi"});
}
void Server::set_management_api(const ManagementApi& v) {
  set_field(j_, {"spec", "managementApi"}, v);
}

std::optional<Bmc> Server::bmc() const { return get_object_as<Bmc>(j_, {"spec", "bmc"}); }
void Server::set_bmc(const Bmc& v) {
  overlay_known_fields(ensure_field(j_, {"spec", "bmc"}), json(v), kBmcFields);
}
void Server::clear_bmc() { erase_field(j_, {"spec", "bmc"}); }

std::optional<HardwareInformation> Server::hardware() const {
  return get_object_as<HardwareInformation>(j_, {"spec", "hardware"});
}

void Server::set_hardware(const HardwareInformation& v) {
  json fresh = v;
  json& hw = ensure_field(j_, {"spec", "hardware"});
  if (!hw.is_object()) hw = json::object();
  for (std::string_view section : kHardwareSections) {
    std::string key(section);
    auto src = fresh.find(key);
    if (src == fresh.end()) {
      hw.erase(key);
      continue;
    }
    overlay_known_fields(hw[key], *src, hardware_section_fields(section));
  }
}

bool Server::ready() const { return bool_or_false({"status", "ready"}); }
void Server::set_ready(bool v) { set_field(j_, {"status", "ready"}, v); }
bool Server::in_use() const { return bool_or_false({"status", "inUse"}); }
void Server::set_in_use(bool v) { set_field(j_, {"status", "inUse"}, v); }
bool Server::is_clean() const { return bool_or_false({"status", "isClean"}); }
void Server::set_is_clean(bool v) { set_field(j_, {"status", "isClean"}, v); }
std::optional<std::string> Server::power() const { return get_string(j_, {"status", "power"}); }
void Server::set_power(std::string_view v) { set_field(j_, {"status", "power"}, v); }

std::vector<NodeAddress> Server::addresses() const {
  return get_list_as<NodeAddress>(j_, {"status", "addresses"});
}
void Server::set_addresses(const std::vector<NodeAddress>& v) {
  set_list_or_erase(j_, {"status", "addresses"}, v);
}

}  // namespace ferrum::model
