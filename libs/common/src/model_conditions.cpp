#include "ferrum/model/conditions.hpp"

namespace ferrum::model {
namespace {

void put_or_erase(json& j, const char* key, const std::string& v) {
  if (v.empty()) {
    j.erase(key);
  } else {
    j[key] = v;
  }
}

json* find_entry(json& conditions, std::string_view type) {
  if (!conditions.is_array()) return nullptr;
  for (auto& item : conditions) {
    if (item.is_object() && item.value("type", "") == type) return &item;
  }
  return nullptr;
}

}  // namespace

void to_json(json& j, const Condition& c) {
  j = json{{"type", c.type}, {"status", c.status}};
  put_or_erase(j, "severity", c.severity);
  put_or_erase(j, "reason", c.reason);
  put_or_erase(j, "message", c.message);
  if (c.last_transition_time) j["lastTransitionTime"] = format_rfc3339(*c.last_transition_time);
}

void from_json(const json& j, Condition& c) {
  c = {};
  if (!j.is_object()) return;
  c.type = get_string(j, {"type"}).value_or("");
  c.status = get_string(j, {"status"}).value_or("");
  c.severity = get_string(j, {"severity"}).value_or("");
  c.reason = get_string(j, {"reason"}).value_or("");
  c.message = get_string(j, {"message"}).value_or("");
  if (auto t = get_string(j, {"lastTransitionTime"})) c.last_transition_time = parse_rfc3339(*t);
}

std::optional<Condition> find_condition(const json& conditions, std::string_view type) {
  if (!conditions.is_array()) return std::nullopt;
  for (const auto& item : conditions) {
    if (item.is_object() && item.value("type", "") == type) return item.get<Condition>();
  }
  return std::nullopt;
}

bool is_condition_true(const json& conditions, std::string_view type) {
  auto c = find_condition(conditions, type);
  return c && c->is_true();
}

bool set_condition(json& conditions, const Condition& c, Timestamp now) {
  if (!conditions.is_array()) conditions = json::array();
  json* entry = find_entry(conditions, c.type);
  if (entry == nullptr) {
    Condition fresh = c;
    fresh.last_transition_time = now;
    conditions.push_back(fresh);
    return true;
  }
  json before = *entry;
  bool status_changed = entry->value("status", "") != c.status;
  (*entry)["type"] = c.type;
  (*entry)["status"] = c.status;
  put_or_erase(*entry, "severity", c.severity);
  put_or_erase(*entry, "reason", c.reason);
  put_or_erase(*entry, "message", c.message);
  if (status_changed || !entry->contains("lastTransitionTime")) {
    (*entry)["lastTransitionTime"] = format_rfc3339(now);
  }
  return *entry != before;
}

bool remove_condition(json& conditions, std::string_view type) {
  if (!conditions.is_array()) return false;
  auto& arr = conditions.get_ref<json::array_t&>();
  for (auto it = arr.begin(); it != arr.end(); ++it) {
    if (it->is_object() && it->value("type", "") == type) {
      arr.erase(it);
      return true;
    }
  }
  return false;
}

const json& ConditionedObject::conditions() const {
  static const json kEmpty = json::array();
  const json* c = find_field(j_, {"status", "conditions"});
  return c != nullptr && c->is_array() ? *c : kEmpty;
}

std::optional<Condition> ConditionedObject::condition(std::string_view type) const {
  return find_condition(conditions(), type);
}

bool ConditionedObject::is_condition_true(std::string_view type) const {
  return ::ferrum::model::is_condition_true(conditions(), type);
}

bool ConditionedObject::set_condition(const Condition& c, Timestamp now) {
  return ::ferrum::model::set_condition(ensure_field(j_, {"status", "conditions"}), c, now);
}

bool ConditionedObject::remove_condition(std::string_view type) {
  json* c = find_field(j_, {"status", "conditions"});
  if (c == nullptr) return false;
  bool removed = ::ferrum::model::remove_condition(*c, type);
  if (removed && c->empty()) erase_field(j_, {"status", "conditions"});
  return removed;
}

}  // namespace ferrum::model
