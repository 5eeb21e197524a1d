#include "node_records.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <array>

#include "ferrum/model/kinds.hpp"
#include "machine_events.pb.h"

namespace ferrum::linkd {

namespace {

std::string string_at(const Json& j, std::initializer_list<const char*> path) {
  const Json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object()) return {};
    auto it = cur->find(k);
    if (it == cur->end()) return {};
    cur = &*it;
  }
  return cur->is_string() ? cur->get<std::string>() : std::string();
}

std::string label_of(const Json& obj, std::string_view key) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return {};
  auto l = m->find("labels");
  if (l == m->end() || !l->is_object()) return {};
  auto v = l->find(std::string(key));
  return v != l->end() && v->is_string() ? v->get<std::string>() : std::string();
}

}  // namespace

NodeAnnotation annotation_for(const Json& binding, const Json* metal_machine) {
  NodeAnnotation a;
  a.server_uuid = string_at(binding, {"metadata", "name"});
  a.namespace_ = string_at(binding, {"spec", "metalMachineRef", "namespace"});
  a.metal_machine = string_at(binding, {"spec", "metalMachineRef", "name"});
  a.cluster = label_of(binding, model::kClusterNameLabel);
  if (metal_machine != nullptr) {
    if (a.cluster.empty()) a.cluster = label_of(*metal_machine, model::kClusterNameLabel);
    auto m = metal_machine->find("metadata");
    if (m != metal_machine->end() && m->is_object()) {
      auto owners = m->find("ownerReferences");
      if (owners != m->end() && owners->is_array()) {
        for (const auto& o : *owners) {
          if (o.is_object() && o.value("kind", "") == "Machine") {
            a.machine = o.value("name", "");
            break;
          }
        }
      }
    }
  }
  return a;
}

Expected<std::vector<Prefix>, std::string> parse_prefixes(const std::vector<std::string>& cidrs) {
  std::vector<Prefix> out;
  for (const auto& c : cidrs) {
    auto slash = c.find('/');
    if (slash == std::string::npos) return unexpected("\"" + c + "\" has no /len");
    std::string host = c.substr(0, slash);
    Prefix p;
    int max = 128;
    int offset = 0;
    if (inet_pton(AF_INET6, host.c_str(), p.addr.data()) != 1) {
      std::array<std::uint8_t, 4> v4{};
      if (inet_pton(AF_INET, host.c_str(), v4.data()) != 1) {
        return unexpected("\"" + c + "\" is not an IP prefix");
      }
      p.addr = {};
      p.addr[10] = p.addr[11] = 0xff;
      std::copy(v4.begin(), v4.end(), p.addr.begin() + 12);
      max = 32;
      offset = 96;
    }
    std::string len_text = c.substr(slash + 1);
    if (len_text.empty() || len_text.size() > 3 ||
        len_text.find_first_not_of("0123456789") != std::string::npos) {
      return unexpected("\"" + c + "\" has a bad prefix length");
    }
    int len = std::stoi(len_text);
    if (len > max)
      return unexpected("\"" + c + "\" has a prefix length over " + std::to_string(max));
    p.len = len + offset;
    out.push_back(p);
  }
  return out;
}

bool prefix_contains(const std::vector<Prefix>& prefixes, const Ipv6Bytes& addr) {
  for (const auto& p : prefixes) {
    int full = p.len / 8;
    int rest = p.len % 8;
    bool match = std::equal(p.addr.begin(), p.addr.begin() + full, addr.begin());
    if (match && rest != 0) {
      auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
      match = (p.addr[full] & mask) == (addr[full] & mask);
    }
    if (match) return true;
  }
  return false;
}

namespace {

constexpr std::string_view kTypePrefix = "type.googleapis.com/machine.";
constexpr std::string_view kReasonInstallFailed = "TalosInstallationFailed";
constexpr std::string_view kReasonInstallInProgress = "TalosInstallationInProgress";
constexpr std::string_view kReasonConfigLoadFailed = "TalosConfigLoadFailed";
constexpr std::string_view kReasonConfigValidationFailed = "TalosConfigValidationFailed";

model::Condition true_condition(std::string_view type) {
  return model::Condition{std::string(type), std::string(model::kStatusTrue), {}, {}, {}, {}};
}

model::Condition false_condition(std::string_view type, std::string_view severity,
                                 std::string_view reason, std::string message) {
  return model::Condition{std::string(type),     std::string(model::kStatusFalse),
                          std::string(severity), std::string(reason),
                          std::move(message),    {}};
}

// IPv4 text becomes ::ffff:a.b.c.d so one prefix list covers both families.
std::optional<Ipv6Bytes> parse_any_ip(const std::string& s) {
  Ipv6Bytes a{};
  if (inet_pton(AF_INET6, s.c_str(), a.data()) == 1) return a;
  std::array<std::uint8_t, 4> v4{};
  if (inet_pton(AF_INET, s.c_str(), v4.data()) != 1) return std::nullopt;
  a = {};
  a[10] = a[11] = 0xff;
  std::copy(v4.begin(), v4.end(), a.begin() + 12);
  return a;
}

}  // namespace

EventEffect map_event(const google::protobuf::Any& data, const Ipv6Bytes& source,
                      const std::vector<Prefix>& negative_filter) {
  EventEffect e;
  const std::string& url = data.type_url();
  if (!std::string_view(url).starts_with(kTypePrefix)) {
    e.type = url;
    return e;
  }
  std::string name = url.substr(kTypePrefix.size());
  e.type = name;
  auto decode = [&](google::protobuf::Message& m) {
    e.known = true;
    if (!m.ParseFromString(data.value())) {
      e.decode_error = "payload of " + name + " does not parse";
      return false;
    }
    return true;
  };
  if (name == "AddressEvent") {
    machine::AddressEvent ev;
    if (!decode(ev)) return e;
    std::vector<std::string> kept;
    for (const auto& s : ev.addresses()) {
      auto a = parse_any_ip(s);
      if (!a || *a == source || prefix_contains(negative_filter, *a)) continue;
      kept.push_back(s);
    }
    e.addresses = std::move(kept);
    e.hostname = ev.hostname();
    e.log_fields = {{"hostname", ev.hostname()}};
  } else if (name == "ConfigLoadErrorEvent") {
    machine::ConfigLoadErrorEvent ev;
    if (!decode(ev)) return e;
    e.conditions.push_back(false_condition(model::kConditionTalosConfigLoaded,
                                           model::kSeverityError, kReasonConfigLoadFailed,
                                           ev.error()));
    e.log_fields = {{"error", ev.error()}};
  } else if (name == "ConfigValidationErrorEvent") {
    machine::ConfigValidationErrorEvent ev;
    if (!decode(ev)) return e;
    e.conditions.push_back(false_condition(model::kConditionTalosConfigValidated,
                                           model::kSeverityError, kReasonConfigValidationFailed,
                                           ev.error()));
    e.log_fields = {{"error", ev.error()}};
  } else if (name == "PhaseEvent") {
    machine::PhaseEvent ev;
    if (!decode(ev)) return e;
    // Only START matters: STOP comes both after success and after failure.
    if (ev.action() == machine::PhaseEvent::START && ev.phase() == "install") {
      e.conditions.push_back(false_condition(model::kConditionTalosInstalled, model::kSeverityInfo,
                                             kReasonInstallInProgress, ""));
    } else if (ev.action() == machine::PhaseEvent::START && ev.phase() == "saveConfig") {
      e.conditions.push_back(true_condition(model::kConditionTalosConfigValidated));
      e.conditions.push_back(true_condition(model::kConditionTalosConfigLoaded));
    }
    e.log_fields = {{"phase", ev.phase()},
                    {"action", machine::PhaseEvent::Action_Name(ev.action())}};
  } else if (name == "SequenceEvent") {
    machine::SequenceEvent ev;
    if (!decode(ev)) return e;
    if (ev.sequence() == "install" && ev.action() == machine::SequenceEvent::NOOP &&
        ev.has_error() && ev.error().code() == common::FATAL) {
      // Talos reports the reboot that ends a successful install as a fatal error.
      if (ev.error().message().find("unix.Reboot") != std::string::npos) {
        e.conditions.push_back(true_condition(model::kConditionTalosInstalled));
      } else {
        e.conditions.push_back(false_condition(model::kConditionTalosInstalled,
                                               model::kSeverityError, kReasonInstallFailed,
                                               ev.error().message()));
      }
    } else if (ev.sequence() == "boot" && ev.action() == machine::SequenceEvent::START) {
      // A node that boots its installed Talos got through everything before.
      e.conditions.push_back(true_condition(model::kConditionTalosInstalled));
      e.conditions.push_back(true_condition(model::kConditionTalosConfigValidated));
      e.conditions.push_back(true_condition(model::kConditionTalosConfigLoaded));
    }
    e.log_fields = {{"sequence", ev.sequence()},
                    {"action", machine::SequenceEvent::Action_Name(ev.action())}};
    if (ev.has_error()) e.log_fields.emplace_back("error", ev.error().message());
  } else if (name == "TaskEvent") {
    machine::TaskEvent ev;
    if (!decode(ev)) return e;
    e.log_fields = {{"task", ev.task()}, {"action", machine::TaskEvent::Action_Name(ev.action())}};
  }
  return e;
}

EventVerdict event_verdict(const EventEffect& effect, bool binding_known) {
  if (!effect.changes_binding()) return EventVerdict::kAcknowledge;
  return binding_known ? EventVerdict::kWrite : EventVerdict::kUnknownNode;
}

std::string unknown_node_message(std::string_view node_address) {
  return "failed to find ServerBindings for ip " + std::string(node_address) +
         " (no ServerBinding has this spec.siderolink.address yet; send the event again)";
}

std::pair<bool, bool> apply_effect(model::ServerBinding& binding, const EventEffect& effect,
                                   model::Timestamp now) {
  bool spec = false;
  bool status = false;
  if (effect.addresses && binding.addresses() != *effect.addresses) {
    binding.set_addresses(*effect.addresses);
    spec = true;
  }
  if (effect.hostname && binding.hostname().value_or("") != *effect.hostname) {
    binding.set_hostname(*effect.hostname);
    spec = true;
  }
  for (const auto& c : effect.conditions) {
    if (binding.set_condition(c, now)) status = true;
  }
  return {spec, status};
}

}  // namespace ferrum::linkd
