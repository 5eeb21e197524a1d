#pragma once
// The pure part of ferrum-registry: what an agent's request means for a Server, with no
// sockets and no API server, so every rule is table-tested.
//
// - UUIDs: SMBIOS UUIDs name Servers; they are checked and lower-cased here. The all-zero
//   and all-F UUIDs are what firmware reports when the vendor left the field unset, so
//   every such machine would collapse into one Server: they are refused.
// - Hardware: api.HardwareInformation becomes Server spec.hardware. memory.totalSize and
//   storage.totalSize are strings in the CRD; Sidero writes them as "<n> GB" (n = MB/1024
//   resp. bytes/2^30, rounded down) and ServerClass qualifiers written for Sidero compare
//   those strings, so Ferrum writes exactly the same text.
// - Answers: CreateServer fills its response only for accepted Servers, so a random machine
//   PXE-booting into the agent is never wiped or has its BMC reconfigured.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "agent.pb.h"
#include "ferrum/expected.hpp"
#include "ferrum/model/hardware.hpp"
#include "ferrum/model/server.hpp"
#include "ferrum/model/value_types.hpp"

namespace ferrum::registry {

// The canonical Server name (lower case 8-4-4-4-12 hex) of an SMBIOS UUID, or an error
// message naming the field, the value and what is wrong with it.
Expected<std::string, std::string> server_name_for_uuid(
    std::string_view uuid, std::string_view field = "hardware.system.uuid");

// "16 GB" for 16384 MB (Sidero's rounding: whole GiB, rounded down).
std::string format_memory_total(std::uint32_t megabytes);
// "1862 GB" for 2000398934016 bytes.
std::string format_storage_total(std::uint64_t bytes);
// Sidero's names of api.StorageType ("SSD", "NVMe", ...); "Unknown" for unknown numbers.
std::string storage_type_name(int type);

// spec.hardware for a registration; system.uuid is the canonical `name`.
model::HardwareInformation map_hardware(const api::HardwareInformation& hw, std::string_view name);

// The MAC addresses the agent reported, for log lines about machines that cannot be named.
std::vector<std::string> reported_macs(const api::HardwareInformation& hw);

struct AnswerPolicy {
  bool insecure_wipe = true;
  bool auto_bmc_setup = true;
  std::chrono::seconds reboot_timeout{20 * 60};
};

// CreateServer's response for `server` as stored after the registration.
api::CreateServerResponse answer_for(const model::Server& server, const AnswerPolicy& policy);

// Address types of corev1.NodeAddress.
bool is_valid_address_type(std::string_view type);
// Checks the agent's addresses; the error names the bad entry (address[i].type ...).
Expected<std::vector<model::NodeAddress>, std::string> parse_addresses(
    const google::protobuf::RepeatedPtrField<api::Address>& in);
// status.addresses after a report: the types the agent reported are replaced by what it
// reported (duplicates dropped, its order kept); types it did not report are kept (other
// writers may have added them), after the reported ones.
std::vector<model::NodeAddress> merge_addresses(const std::vector<model::NodeAddress>& old,
                                                const std::vector<model::NodeAddress>& reported);

// Checks an UpdateBMCInfo payload; the error names the field (bmc_info.port ...).
std::string validate_bmc_info(const api::BMCInfo& info);

// spec.bmc after an UpdateBMCInfo: endpoint from ip when given, port (623 when 0), and,
// when credentials were sent, userFrom/passFrom pointing at the Secret with the plain
// user/pass dropped, so the registry never leaves credentials in the Server.
model::Bmc bmc_spec_for(const std::optional<model::Bmc>& old, const api::BMCInfo& info,
                        std::string_view secret_namespace, std::string_view secret_name);

inline constexpr std::uint32_t kDefaultBmcPort = 623;
inline constexpr std::string_view kPowerCycleCondition = "PowerCycle";

}  // namespace ferrum::registry
