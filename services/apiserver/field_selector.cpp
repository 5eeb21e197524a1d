#include "field_selector.hpp"

#include <set>

namespace ferrum::apiserver {

std::string field_value(const nlohmann::json& obj, const std::string& field) {
  const nlohmann::json* cur = &obj;
  std::size_t start = 0;
  while (start <= field.size()) {
    auto dot = field.find('.', start);
    std::string part =
        field.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(part)) return "";
    cur = &(*cur)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (cur->is_string()) return cur->get<std::string>();
  if (cur->is_null()) return "";
  return cur->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Expected<std::vector<FieldRequirement>, std::string> parse_field_selector(std::string_view text,
                                                                          std::string_view group,
                                                                          std::string_view plural) {
  std::vector<FieldRequirement> out;
  std::set<std::string, std::less<>> allowed = {"metadata.name", "metadata.namespace"};
  if (plural == "events" && group.empty()) {
    for (const char* f :
         {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
          "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
          "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"}) {
      allowed.insert(f);
    }
  }
  if (plural == "secrets" && group.empty()) allowed.insert("type");
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string term(text.substr(0, comma));
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
    if (term.empty()) continue;
    FieldRequirement r;
    std::size_t op;
    if ((op = term.find("!=")) != std::string::npos) {
      r.negate = true;
      r.field = term.substr(0, op);
      r.value = term.substr(op + 2);
    } else if ((op = term.find("==")) != std::string::npos) {
      r.field = term.substr(0, op);
      r.value = term.substr(op + 2);
    } else if ((op = term.find('=')) != std::string::npos) {
      r.field = term.substr(0, op);
      r.value = term.substr(op + 1);
    } else {
      return unexpected("invalid field selector term \"" + term +
                        "\": want field=value or field!=value");
    }
    if (!allowed.count(r.field)) {
      return unexpected("field label not supported: " + r.field);
    }
    out.push_back(std::move(r));
  }
  return out;
}

bool fields_match(const std::vector<FieldRequirement>& requirements, const nlohmann::json& obj) {
  for (const auto& r : requirements) {
    if ((field_value(obj, r.field) == r.value) == r.negate) return false;
  }
  return true;
}

}  // namespace ferrum::apiserver
