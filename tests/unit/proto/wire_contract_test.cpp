// The wire contract of the gRPC APIs Ferrum shares with Sidero's agent and with real Talos
// nodes (DESIGN.md 4.4, 4.5): package and message names, field numbers and types, and method
// paths. These are checked through the generated descriptors, so renumbering or renaming a
// field in proto/ fails here before it fails against a real peer.

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent.pb.h"
#include "events.pb.h"
#include "machine_events.pb.h"
#include "power.pb.h"
#include "provision.pb.h"

namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using google::protobuf::ServiceDescriptor;

using Type = FieldDescriptor::Type;
using Label = FieldDescriptor::Label;

struct FieldSpec {
  std::string_view name;
  int number;
  Type type;
  Label label = FieldDescriptor::LABEL_OPTIONAL;
  // Full name of the message or enum type for TYPE_MESSAGE / TYPE_ENUM fields.
  std::string_view type_name = {};
  bool proto3_optional = false;
};

constexpr Label kRepeated = FieldDescriptor::LABEL_REPEATED;

// The generated pool only knows files whose object code is linked in, and the linker drops
// members of the static ferrum_proto library that nothing references. Touch one message of
// every file so that name lookups below see them all.
void EnsureFilesLinked() {
  static const bool linked = [] {
    return api::HardwareInformation::descriptor() != nullptr &&
           sidero::link::ProvisionRequest::descriptor() != nullptr &&
           events::EventRequest::descriptor() != nullptr &&
           machine::AddressEvent::descriptor() != nullptr &&
           ferrum::power::v1::SetBootDeviceRequest::descriptor() != nullptr;
  }();
  ASSERT_TRUE(linked);
}

const Descriptor* Message(std::string_view full_name) {
  EnsureFilesLinked();
  return DescriptorPool::generated_pool()->FindMessageTypeByName(std::string(full_name));
}

// Checks that the message exists under its full name and has exactly the listed fields.
void ExpectMessage(std::string_view full_name, const std::vector<FieldSpec>& fields) {
  SCOPED_TRACE(std::string(full_name));
  const Descriptor* message = Message(full_name);
  ASSERT_NE(message, nullptr) << "message missing";
  EXPECT_EQ(message->field_count(), static_cast<int>(fields.size()))
      << "field count differs: a field was added or removed";
  for (const FieldSpec& spec : fields) {
    SCOPED_TRACE(std::string(spec.name));
    const FieldDescriptor* field = message->FindFieldByName(std::string(spec.name));
    ASSERT_NE(field, nullptr) << "field missing";
    EXPECT_EQ(field->number(), spec.number);
    EXPECT_EQ(field->type(), spec.type) << field->type_name();
    EXPECT_EQ(field->label(), spec.label);
    EXPECT_EQ(field->has_optional_keyword(), spec.proto3_optional) << "proto3 `optional` differs";
    if (spec.type == FieldDescriptor::TYPE_MESSAGE) {
      EXPECT_EQ(field->message_type()->full_name(), spec.type_name);
    } else if (spec.type == FieldDescriptor::TYPE_ENUM) {
      EXPECT_EQ(field->enum_type()->full_name(), spec.type_name);
    }
  }
}

struct MethodSpec {
  std::string_view path;  // the HTTP/2 :path gRPC uses, "/<package>.<Service>/<Method>"
  std::string_view input;
  std::string_view output;
};

void ExpectService(std::string_view full_name, const std::vector<MethodSpec>& methods) {
  SCOPED_TRACE(std::string(full_name));
  EnsureFilesLinked();
  const ServiceDescriptor* service =
      DescriptorPool::generated_pool()->FindServiceByName(std::string(full_name));
  ASSERT_NE(service, nullptr) << "service missing";
  EXPECT_EQ(service->method_count(), static_cast<int>(methods.size()));
  for (const MethodSpec& spec : methods) {
    SCOPED_TRACE(std::string(spec.path));
    const std::string path(spec.path);
    const auto slash = path.rfind('/');
    ASSERT_NE(slash, std::string::npos);
    const auto* method = service->FindMethodByName(path.substr(slash + 1));
    ASSERT_NE(method, nullptr) << "method missing";
    // gRPC's :path is built from the service's full name (package included) and method name.
    EXPECT_EQ("/" + service->full_name() + "/" + method->name(), path);
    EXPECT_FALSE(method->client_streaming());
    EXPECT_FALSE(method->server_streaming());
    EXPECT_EQ(method->input_type()->full_name(), spec.input);
    EXPECT_EQ(method->output_type()->full_name(), spec.output);
  }
}

constexpr Type kString = FieldDescriptor::TYPE_STRING;
constexpr Type kBool = FieldDescriptor::TYPE_BOOL;
constexpr Type kUint32 = FieldDescriptor::TYPE_UINT32;
constexpr Type kUint64 = FieldDescriptor::TYPE_UINT64;
constexpr Type kDouble = FieldDescriptor::TYPE_DOUBLE;
constexpr Type kMessage = FieldDescriptor::TYPE_MESSAGE;
constexpr Type kEnum = FieldDescriptor::TYPE_ENUM;
constexpr Label kOptional = FieldDescriptor::LABEL_OPTIONAL;

// ---- Agent API (Sidero app/sidero-controller-manager/internal/api/api.proto) ----

TEST(AgentWireContract, ServiceMethods) {
  ExpectService(
      "api.Agent",
      {
          {"/api.Agent/CreateServer", "api.CreateServerRequest", "api.CreateServerResponse"},
          {"/api.Agent/MarkServerAsWiped", "api.MarkServerAsWipedRequest",
           "api.MarkServerAsWipedResponse"},
          {"/api.Agent/ReconcileServerAddresses", "api.ReconcileServerAddressesRequest",
           "api.ReconcileServerAddressesResponse"},
          {"/api.Agent/Heartbeat", "api.HeartbeatRequest", "api.HeartbeatResponse"},
          {"/api.Agent/UpdateBMCInfo", "api.UpdateBMCInfoRequest", "api.UpdateBMCInfoResponse"},
      });
}

TEST(AgentWireContract, RequestsAndResponses) {
  ExpectMessage(
      "api.CreateServerRequest",
      {{"hardware", 1, kMessage, kOptional, "api.HardwareInformation"}, {"hostname", 3, kString}});
  ExpectMessage("api.CreateServerResponse", {{"wipe", 1, kBool},
                                             {"insecure_wipe", 2, kBool},
                                             {"setup_bmc", 3, kBool},
                                             {"reboot_timeout", 4, kDouble}});
  ExpectMessage("api.MarkServerAsWipedRequest", {{"uuid", 1, kString}});
  ExpectMessage("api.MarkServerAsWipedResponse", {});
  ExpectMessage("api.HeartbeatRequest", {{"uuid", 1, kString}});
  ExpectMessage("api.HeartbeatResponse", {});
  ExpectMessage("api.ReconcileServerAddressesRequest",
                {{"uuid", 1, kString}, {"address", 2, kMessage, kRepeated, "api.Address"}});
  ExpectMessage("api.ReconcileServerAddressesResponse", {});
  ExpectMessage("api.Address", {{"type", 1, kString}, {"address", 2, kString}});
  ExpectMessage("api.UpdateBMCInfoRequest",
                {{"uuid", 1, kString}, {"bmc_info", 2, kMessage, kOptional, "api.BMCInfo"}});
  ExpectMessage("api.UpdateBMCInfoResponse", {});
  ExpectMessage(
      "api.BMCInfo",
      {{"ip", 1, kString}, {"port", 2, kUint32}, {"user", 3, kString}, {"pass", 4, kString}});
}

TEST(AgentWireContract, HardwareInformation) {
  ExpectMessage("api.HardwareInformation",
                {{"system", 1, kMessage, kOptional, "api.SystemInformation"},
                 {"compute", 2, kMessage, kOptional, "api.ComputeInformation"},
                 {"memory", 3, kMessage, kOptional, "api.MemoryInformation"},
                 {"storage", 4, kMessage, kOptional, "api.StorageInformation"},
                 {"network", 5, kMessage, kOptional, "api.NetworkInformation"}});
  ExpectMessage("api.SystemInformation", {{"uuid", 1, kString},
                                          {"manufacturer", 2, kString},
                                          {"product_name", 3, kString},
                                          {"version", 4, kString},
                                          {"serial_number", 5, kString},
                                          {"sku_number", 6, kString},
                                          {"family", 7, kString}});
  ExpectMessage("api.ComputeInformation",
                {{"total_core_count", 1, kUint32},
                 {"total_thread_count", 2, kUint32},
                 {"processor_count", 3, kUint32},
                 {"processors", 4, kMessage, kRepeated, "api.Processor"}});
  ExpectMessage("api.Processor", {{"manufacturer", 1, kString},
                                  {"product_name", 2, kString},
                                  {"serial_number", 3, kString},
                                  {"speed", 4, kUint32},
                                  {"core_count", 5, kUint32},
                                  {"thread_count", 6, kUint32}});
  ExpectMessage("api.MemoryInformation", {{"total_size", 1, kUint32},
                                          {"module_count", 2, kUint32},
                                          {"modules", 3, kMessage, kRepeated, "api.MemoryModule"}});
  ExpectMessage("api.MemoryModule", {{"manufacturer", 1, kString},
                                     {"product_name", 2, kString},
                                     {"serial_number", 3, kString},
                                     {"type", 4, kString},
                                     {"size", 5, kUint32},
                                     {"speed", 6, kUint32}});
  ExpectMessage("api.StorageInformation",
                {{"total_size", 1, kUint64},
                 {"device_count", 2, kUint32},
                 {"devices", 3, kMessage, kRepeated, "api.StorageDevice"}});
  ExpectMessage("api.StorageDevice", {{"type", 1, kEnum, kOptional, "api.StorageType"},
                                      {"size", 2, kUint64},
                                      {"model", 3, kString},
                                      {"serial", 4, kString},
                                      {"name", 5, kString},
                                      {"device_name", 6, kString},
                                      {"uuid", 7, kString},
                                      {"wwid", 8, kString}});
  ExpectMessage("api.NetworkInformation",
                {{"interface_count", 1, kUint32},
                 {"interfaces", 2, kMessage, kRepeated, "api.NetworkInterface"}});
  ExpectMessage("api.NetworkInterface", {{"index", 1, kUint32},
                                         {"name", 2, kString},
                                         {"flags", 3, kString},
                                         {"mtu", 4, kUint32},
                                         {"mac", 5, kString},
                                         {"addresses", 6, kString, kRepeated}});
}

TEST(AgentWireContract, StorageTypeValues) {
  EnsureFilesLinked();
  const auto* storage_type =
      DescriptorPool::generated_pool()->FindEnumTypeByName("api.StorageType");
  ASSERT_NE(storage_type, nullptr);
  const std::vector<std::pair<std::string, int>> values = {
      {"Unknown", 0}, {"SSD", 1}, {"HDD", 2}, {"NVMe", 3}, {"SD", 4}};
  EXPECT_EQ(storage_type->value_count(), static_cast<int>(values.size()));
  for (const auto& [name, number] : values) {
    const auto* value = storage_type->FindValueByName(name);
    ASSERT_NE(value, nullptr) << name;
    EXPECT_EQ(value->number(), number) << name;
  }
}

// ---- SideroLink (siderolink api/siderolink/provision.proto) ----

TEST(SideroLinkWireContract, ProvisionService) {
  ExpectService("sidero.link.ProvisionService",
                {{"/sidero.link.ProvisionService/Provision", "sidero.link.ProvisionRequest",
                  "sidero.link.ProvisionResponse"}});
}

TEST(SideroLinkWireContract, ProvisionMessages) {
  ExpectMessage("sidero.link.ProvisionRequest",
                {{"node_uuid", 1, kString},
                 {"node_public_key", 2, kString},
                 {"join_token", 3, kString, kOptional, {}, true},
                 {"node_unique_token", 4, kString, kOptional, {}, true},
                 {"talos_version", 5, kString, kOptional, {}, true},
                 {"wireguard_over_grpc", 6, kBool, kOptional, {}, true}});
  ExpectMessage("sidero.link.ProvisionResponse", {{"server_endpoint", 1, kString, kRepeated},
                                                  {"server_public_key", 3, kString},
                                                  {"node_address_prefix", 4, kString},
                                                  {"server_address", 5, kString},
                                                  {"grpc_peer_addr_port", 6, kString}});
}

// ---- Event sink (siderolink api/events/events.proto) and Talos events ----

TEST(EventSinkWireContract, Service) {
  ExpectService("events.EventSinkService", {{"/events.EventSinkService/Publish",
                                             "events.EventRequest", "events.EventResponse"}});
}

TEST(EventSinkWireContract, Messages) {
  ExpectMessage("events.EventRequest", {{"data", 1, kMessage, kOptional, "google.protobuf.Any"},
                                        {"id", 2, kString},
                                        {"actor_id", 3, kString}});
  ExpectMessage("events.EventResponse", {});
}

TEST(TalosEventsWireContract, Messages) {
  ExpectMessage("machine.AddressEvent",
                {{"hostname", 1, kString}, {"addresses", 2, kString, kRepeated}});
  ExpectMessage("machine.ConfigLoadErrorEvent", {{"error", 1, kString}});
  ExpectMessage("machine.ConfigValidationErrorEvent", {{"error", 1, kString}});
  ExpectMessage(
      "machine.PhaseEvent",
      {{"phase", 1, kString}, {"action", 2, kEnum, kOptional, "machine.PhaseEvent.Action"}});
  ExpectMessage("machine.TaskEvent", {{"task", 1, kString},
                                      {"action", 2, kEnum, kOptional, "machine.TaskEvent.Action"}});
  ExpectMessage("machine.SequenceEvent",
                {{"sequence", 1, kString},
                 {"action", 2, kEnum, kOptional, "machine.SequenceEvent.Action"},
                 {"error", 3, kMessage, kOptional, "common.Error"}});
  ExpectMessage("common.Error", {{"code", 1, kEnum, kOptional, "common.Code"},
                                 {"message", 2, kString},
                                 {"details", 3, kMessage, kRepeated, "google.protobuf.Any"}});
}

TEST(TalosEventsWireContract, ActionValues) {
  EXPECT_EQ(machine::SequenceEvent::NOOP, 0);
  EXPECT_EQ(machine::SequenceEvent::START, 1);
  EXPECT_EQ(machine::SequenceEvent::STOP, 2);
  EXPECT_EQ(machine::PhaseEvent::START, 0);
  EXPECT_EQ(machine::PhaseEvent::STOP, 1);
  EXPECT_EQ(machine::TaskEvent::START, 0);
  EXPECT_EQ(machine::TaskEvent::STOP, 1);
}

// ---- Encoding: an EventRequest exactly as a Talos node sends it ----

// Minimal protobuf encoder for building the expected bytes independently of generated code.
void AppendVarint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void AppendBytesField(std::string& out, int number, std::string_view bytes) {
  AppendVarint(out, (static_cast<std::uint64_t>(number) << 3) | 2);  // wire type LEN
  AppendVarint(out, bytes.size());
  out.append(bytes);
}

// Talos' EventsSinkController packs payloads with anypb.New: "type.googleapis.com/" + full name.
constexpr std::string_view kAddressEventTypeUrl = "type.googleapis.com/machine.AddressEvent";

std::string GoldenAddressEventRequest() {
  std::string address_event;
  AppendBytesField(address_event, 1, "talos-abc-123");
  AppendBytesField(address_event, 2, "172.20.0.2");
  AppendBytesField(address_event, 2, "fdae:41e4:649b:9303:7886:731d:1ce9:4d4");

  std::string any;
  AppendBytesField(any, 1, kAddressEventTypeUrl);
  AppendBytesField(any, 2, address_event);

  std::string request;
  AppendBytesField(request, 1, any);
  AppendBytesField(request, 2, "cn8a3ho1nbks73ah9v8g");
  AppendBytesField(request, 3, "actor-1");
  return request;
}

TEST(EventSinkEncoding, AnyPackedAddressEventMatchesTalosBytes) {
  machine::AddressEvent address_event;
  address_event.set_hostname("talos-abc-123");
  address_event.add_addresses("172.20.0.2");
  address_event.add_addresses("fdae:41e4:649b:9303:7886:731d:1ce9:4d4");

  events::EventRequest request;
  ASSERT_TRUE(request.mutable_data()->PackFrom(address_event));
  request.set_id("cn8a3ho1nbks73ah9v8g");
  request.set_actor_id("actor-1");

  EXPECT_EQ(request.data().type_url(), kAddressEventTypeUrl);
  EXPECT_EQ(request.SerializeAsString(), GoldenAddressEventRequest());
}

TEST(EventSinkEncoding, DecodesTalosBytesIntoAddressEvent) {
  events::EventRequest request;
  ASSERT_TRUE(request.ParseFromString(GoldenAddressEventRequest()));
  EXPECT_EQ(request.id(), "cn8a3ho1nbks73ah9v8g");
  EXPECT_EQ(request.actor_id(), "actor-1");
  ASSERT_TRUE(request.has_data());
  EXPECT_EQ(request.data().type_url(), kAddressEventTypeUrl);
  EXPECT_TRUE(request.data().Is<machine::AddressEvent>());
  EXPECT_FALSE(request.data().Is<machine::PhaseEvent>());

  machine::AddressEvent address_event;
  ASSERT_TRUE(request.data().UnpackTo(&address_event));
  EXPECT_EQ(address_event.hostname(), "talos-abc-123");
  ASSERT_EQ(address_event.addresses_size(), 2);
  EXPECT_EQ(address_event.addresses(0), "172.20.0.2");
  EXPECT_EQ(address_event.addresses(1), "fdae:41e4:649b:9303:7886:731d:1ce9:4d4");
}

TEST(EventSinkEncoding, TypeUrlsUseTalosPackageNames) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {machine::AddressEvent::descriptor()->full_name(), "machine.AddressEvent"},
      {machine::ConfigLoadErrorEvent::descriptor()->full_name(), "machine.ConfigLoadErrorEvent"},
      {machine::ConfigValidationErrorEvent::descriptor()->full_name(),
       "machine.ConfigValidationErrorEvent"},
      {machine::PhaseEvent::descriptor()->full_name(), "machine.PhaseEvent"},
      {machine::SequenceEvent::descriptor()->full_name(), "machine.SequenceEvent"},
      {machine::TaskEvent::descriptor()->full_name(), "machine.TaskEvent"},
  };
  for (const auto& [actual, want] : expected) EXPECT_EQ(actual, want);

  google::protobuf::Any any;
  machine::SequenceEvent sequence;
  sequence.set_sequence("install");
  sequence.set_action(machine::SequenceEvent::STOP);
  sequence.mutable_error()->set_message("boom");
  ASSERT_TRUE(any.PackFrom(sequence));
  EXPECT_EQ(any.type_url(), "type.googleapis.com/machine.SequenceEvent");
}

// ---- Ferrum's power API: method paths other daemons compile against ----

TEST(PowerWireContract, ServiceAndMessages) {
  ExpectService("ferrum.power.v1.Power",
                {
                    {"/ferrum.power.v1.Power/PowerOn", "ferrum.power.v1.PowerOnRequest",
                     "ferrum.power.v1.PowerOnResponse"},
                    {"/ferrum.power.v1.Power/PowerOff", "ferrum.power.v1.PowerOffRequest",
                     "ferrum.power.v1.PowerOffResponse"},
                    {"/ferrum.power.v1.Power/PowerCycle", "ferrum.power.v1.PowerCycleRequest",
                     "ferrum.power.v1.PowerCycleResponse"},
                    {"/ferrum.power.v1.Power/PowerState", "ferrum.power.v1.PowerStateRequest",
                     "ferrum.power.v1.PowerStateResponse"},
                    {"/ferrum.power.v1.Power/SetBootDevice", "ferrum.power.v1.SetBootDeviceRequest",
                     "ferrum.power.v1.SetBootDeviceResponse"},
                });
  ExpectMessage("ferrum.power.v1.SetBootDeviceRequest",
                {{"server_name", 1, kString},
                 {"device", 2, kEnum, kOptional, "ferrum.power.v1.BootDevice"},
                 {"mode", 3, kEnum, kOptional, "ferrum.power.v1.BootMode"}});
  ExpectMessage("ferrum.power.v1.PowerStateResponse",
                {{"status", 1, kEnum, kOptional, "ferrum.power.v1.PowerStatus"}});
  EXPECT_EQ(ferrum::power::v1::BOOT_DEVICE_PXE, 1);
  EXPECT_EQ(ferrum::power::v1::BOOT_DEVICE_DISK, 2);
  EXPECT_EQ(ferrum::power::v1::BOOT_MODE_BIOS, 1);
  EXPECT_EQ(ferrum::power::v1::BOOT_MODE_UEFI, 2);
  EXPECT_EQ(ferrum::power::v1::POWER_STATUS_ON, 1);
  EXPECT_EQ(ferrum::power::v1::POWER_STATUS_OFF, 2);
}

}  // namespace
