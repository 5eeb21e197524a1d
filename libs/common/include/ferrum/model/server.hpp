#pragma once
// Server (metal.sidero.dev/v1alpha2, cluster-scoped, named by SMBIOS UUID): a typed view over
// the full JSON document. Setters touch only the field they name; structured setters
// (set_bmc, set_hardware) keep keys inside those objects that Ferrum does not model.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferrum/model/conditions.hpp"
#include "ferrum/model/hardware.hpp"
#include "ferrum/model/value_types.hpp"

namespace ferrum::model {

inline constexpr std::string_view kBootFromDiskIpxeExit = "ipxe-exit";
inline constexpr std::string_view kBootFromDiskHttp404 = "http-404";
inline constexpr std::string_view kBootFromDiskIpxeSanboot = "ipxe-sanboot";
inline constexpr std::string_view kPxeModeBios = "bios";
inline constexpr std::string_view kPxeModeUefi = "uefi";
inline constexpr std::string_view kPowerOn = "on";
inline constexpr std::string_view kPowerOff = "off";
inline constexpr std::string_view kPowerUnknown = "unknown";

bool is_valid_boot_from_disk_method(std::string_view v);
bool is_valid_pxe_mode(std::string_view v);

class Server : public ConditionedObject {
 public:
  using ConditionedObject::ConditionedObject;
  // A new v1alpha2 Server named `uuid`.
  static Server make(std::string_view uuid);

  // spec
  std::optional<ObjectReference> environment_ref() const;
  void set_environment_ref(const ObjectReference& ref);
  void clear_environment_ref();
  std::optional<std::string> hostname() const;
  void set_hostname(std::string_view v);
  void clear_hostname();
  bool accepted() const;
  void set_accepted(bool v);
  bool cordoned() const;
  void set_cordoned(bool v);
  bool pxe_boot_always() const;
  void set_pxe_boot_always(bool v);
  std::optional<std::string> boot_from_disk_method() const;
  void set_boot_from_disk_method(std::string_view v);
  void clear_boot_from_disk_method();
  std::optional<std::string> pxe_mode() const;
  void set_pxe_mode(std::string_view v);
  void clear_pxe_mode();
  std::vector<ConfigPatch> config_patches() const;
  void set_config_patches(const std::vector<ConfigPatch>& v);
  std::vector<std::string> strategic_patches() const;
  void set_strategic_patches(const std::vector<std::string>& v);
  std::optional<ManagementApi> management_api() const;
  void set_management_api(const ManagementApi& v);
  std::optional<Bmc> bmc() const;
  void set_bmc(const Bmc& v);
  void clear_bmc();
  std::optional<HardwareInformation> hardware() const;
  // spec.hardware as stored, for generic matching; nullptr when absent.
  const json* hardware_json() const { return find_field(j_, {"spec", "hardware"}); }
  // Replaces the modelled fields of each section; a section the value lacks is removed.
  // Unknown keys in spec.hardware and inside its sections are kept.
  void set_hardware(const HardwareInformation& v);

  // status
  bool ready() const;
  void set_ready(bool v);
  bool in_use() const;
  void set_in_use(bool v);
  bool is_clean() const;
  void set_is_clean(bool v);
  std::optional<std::string> power() const;
  void set_power(std::string_view v);
  std::vector<NodeAddress> addresses() const;
  void set_addresses(const std::vector<NodeAddress>& v);
};

}  // namespace ferrum::model
