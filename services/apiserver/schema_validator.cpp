#include "schema_validator.hpp"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <regex>

#include "ferrum/json_text.hpp"

namespace ferrum::apiserver {

namespace {

using json = nlohmann::json;

// Messages follow k8s.io/apimachinery's field.Error bodies built from kube-openapi's
// validation errors (apiextensions-apiserver's kubeOpenAPIResultToFieldErrors), so clients
// and people see what a real API server would say.

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

// Go's %v of a float64 prints integral values without a fraction.
std::string number_text(const json& v) {
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e15) {
      return std::to_string(static_cast<std::int64_t>(d));
    }
  }
  return json_text::dump(v);
}

// How field.Error prints a bad value: strings quoted, numbers and booleans bare.
std::string bad_value(const json& v) {
  if (v.is_number()) return number_text(v);
  return json_text::dump(v);
}

// The JSON type name kube-openapi reports for a value.
std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "unknown";
  }
}

bool is_integral(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

bool matches_type(const std::string& type, const json& v) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "number") return v.is_number();
  if (type == "integer") return is_integral(v);
  return true;  // unknown types were rejected when the CRD was accepted
}

bool flag(const json& schema, const char* key) {
  auto it = schema.find(key);
  return it != schema.end() && it->is_boolean() && it->get<bool>();
}

std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool digits_at(const std::string& s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return false;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool valid_date(const std::string& s) {
  if (s.size() != 10 || !digits_at(s, 0, 4) || s[4] != '-' || !digits_at(s, 5, 2) || s[7] != '-' ||
      !digits_at(s, 8, 2)) {
    return false;
  }
  std::chrono::year_month_day ymd{std::chrono::year(std::stoi(s.substr(0, 4))),
                                  std::chrono::month(unsigned(std::stoi(s.substr(5, 2)))),
                                  std::chrono::day(unsigned(std::stoi(s.substr(8, 2))))};
  return ymd.ok();
}

bool valid_date_time(const std::string& s) {
  if (s.size() < 20 || !valid_date(s.substr(0, 10))) return false;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  if (!digits_at(s, 11, 2) || s[13] != ':' || !digits_at(s, 14, 2) || s[16] != ':' ||
      !digits_at(s, 17, 2)) {
    return false;
  }
  if (std::stoi(s.substr(11, 2)) > 23 || std::stoi(s.substr(14, 2)) > 59 ||
      std::stoi(s.substr(17, 2)) > 60) {
    return false;
  }
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    std::size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) return i + 1 == s.size();
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    return i + 6 == s.size() && digits_at(s, i + 1, 2) && s[i + 3] == ':' && digits_at(s, i + 4, 2);
  }
  return false;
}

bool valid_ipv4(const std::string& s) {
  static const std::regex re(
      R"(^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$)");
  return std::regex_match(s, re);
}

bool valid_ipv6(const std::string& s) {
  // Groups of up to four hex digits, at most one "::", optionally ending in an IPv4 address.
  if (s.empty() || s.find(":::") != std::string::npos) return false;
  std::string rest = s;
  int groups = 0;
  auto last_colon = rest.rfind(':');
  if (last_colon != std::string::npos && rest.find('.', last_colon) != std::string::npos) {
    if (!valid_ipv4(rest.substr(last_colon + 1))) return false;
    rest = rest.substr(0, last_colon + 1) + "0:0";
  }
  auto dc = rest.find("::");
  if (dc != std::string::npos && rest.find("::", dc + 1) != std::string::npos) return false;
  std::size_t i = 0;
  while (i <= rest.size()) {
    auto colon = rest.find(':', i);
    std::string g = rest.substr(i, colon == std::string::npos ? std::string::npos : colon - i);
    if (!g.empty()) {
      if (g.size() > 4) return false;
      for (char c : g) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
      }
      ++groups;
    }
    if (colon == std::string::npos) break;
    i = colon + 1;
  }
  return dc != std::string::npos ? groups < 8 : groups == 8;
}

bool valid_format(const std::string& format, const std::string& s) {
  if (format == "date-time") return valid_date_time(s);
  if (format == "date") return valid_date(s);
  if (format == "ipv4") return valid_ipv4(s);
  if (format == "ipv6") return valid_ipv6(s);
  if (format == "uuid") {
    static const std::regex re(
        R"(^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$)");
    return std::regex_match(s, re);
  }
  if (format == "byte") {
    static const std::regex re(R"(^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$)");
    return std::regex_match(s, re);
  }
  // int32, int64, float, double and formats the API server does not check.
  return true;
}

// Compiled patterns, kept per thread: the same few CRD patterns are checked on every write.
const std::regex* pattern_regex(const std::string& pattern) {
  thread_local std::map<std::string, std::optional<std::regex>> cache;
  auto it = cache.find(pattern);
  if (it == cache.end()) {
    std::optional<std::regex> re;
    try {
      re.emplace(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      // A pattern std::regex cannot compile (RE2-only syntax) is not enforced rather than
      // rejecting every object.
    }
    if (cache.size() > 256) cache.clear();
    it = cache.emplace(pattern, std::move(re)).first;
  }
  return it->second ? &*it->second : nullptr;
}

// The path of the value being checked lives in one buffer, extended on the way down and cut
// back on the way up, so a deep object costs memory linear in its depth for paths (a string
// per level would be quadratic: 10000 levels of 300-byte keys are 15 GB).
class PathScope {
 public:
  PathScope(std::string& path, const std::string& key) : path_(path), mark_(path.size()) {
    if (!path_.empty()) path_ += '.';
    path_ += key;
  }
  PathScope(std::string& path, std::size_t index) : path_(path), mark_(path.size()) {
    path_ += '[' + std::to_string(index) + ']';
  }
  ~PathScope() { path_.resize(mark_); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  std::string& path_;
  std::size_t mark_;
};

class Validator {
 public:
  explicit Validator(std::vector<SchemaProblem>& out) : out_(out) {}

  void check_root(const json& schema, const json& v) { check(schema, v, path_, true, 0); }

 private:
  // `path` is path_ (the buffer PathScope maintains).

  void check(const json& schema, const json& v, const std::string& path, bool root,
             std::size_t depth = 0) {
    if (!schema.is_object()) return;
    // Two frames (about 1.4 KB of stack) per level of schema and object: stop at
    // kMaxValidationDepth instead of overflowing a thread's stack.
    if (depth > kMaxValidationDepth) {
      add(path, "Invalid value: " + path + ": " + json_text::depth_message(kMaxValidationDepth));
      return;
    }
    if (v.is_null()) {
      if (flag(schema, "nullable")) return;
      std::string type = declared_type(schema);
      if (!type.empty()) type_error(path, type, v);
      return;
    }
    std::string type = declared_type(schema);
    if (!type.empty()) {
      bool ok = flag(schema, "x-kubernetes-int-or-string") ? (v.is_string() || is_integral(v))
                                                           : matches_type(type, v);
      if (!ok) {
        type_error(path, type, v);
        return;
      }
    }
    check_enum(schema, v, path);
    if (v.is_object()) check_object(schema, v, path, root, depth);
    if (v.is_array()) check_array(schema, v, path, depth);
    if (v.is_string()) check_string(schema, v.get_ref<const std::string&>(), path);
    if (v.is_number()) check_number(schema, v, path);
  }

  static std::string declared_type(const json& schema) {
    if (flag(schema, "x-kubernetes-int-or-string")) return "integer,string";
    auto it = schema.find("type");
    return it != schema.end() && it->is_string() ? it->get<std::string>() : std::string();
  }

  void add(const std::string& path, std::string message, bool unknown = false) {
    out_.push_back({path, std::move(message), unknown});
  }

  void invalid(const std::string& path, const json& value, const std::string& detail) {
    add(path, "Invalid value: " + bad_value(value) + ": " + detail);
  }

  void type_error(const std::string& path, const std::string& type, const json& v) {
    std::string actual = type_name(v);
    add(path, "Invalid value: \"" + actual + "\": " + path + " in body must be of type " + type +
                  ": \"" + actual + "\"");
  }

  void check_enum(const json& schema, const json& v, const std::string& path) {
    auto it = schema.find("enum");
    if (it == schema.end() || !it->is_array()) return;
    for (const auto& allowed : *it) {
      if (allowed == v) return;
    }
    std::string supported;
    for (const auto& allowed : *it) {
      if (!supported.empty()) supported += ", ";
      // Non-string values are marshalled to JSON, then quoted like the strings.
      supported += json_text::dump(allowed.is_string() ? allowed : json(json_text::dump(allowed)));
    }
    add(path, "Unsupported value: " + bad_value(v) + ": supported values: " + supported);
  }

  void check_object(const json& schema, const json& v, const std::string& path, bool root,
                    std::size_t depth) {
    if (auto req = schema.find("required"); req != schema.end() && req->is_array()) {
      for (const auto& name : *req) {
        if (name.is_string() && !v.contains(name.get<std::string>())) {
          add(child_path(path, name.get<std::string>()), "Required value");
        }
      }
    }
    const json* props = nullptr;
    if (auto it = schema.find("properties"); it != schema.end() && it->is_object()) props = &*it;
    const json* additional = nullptr;
    bool additional_allowed = false;
    if (auto it = schema.find("additionalProperties"); it != schema.end()) {
      if (it->is_object()) additional = &*it;
      if (it->is_boolean()) additional_allowed = it->get<bool>();
    }
    const bool preserve = flag(schema, "x-kubernetes-preserve-unknown-fields");
    const bool embedded = flag(schema, "x-kubernetes-embedded-resource");
    for (const auto& [key, child] : v.items()) {
      if (root && (key == "apiVersion" || key == "kind")) continue;
      PathScope scope(path_, key);
      const std::string& p = path_;
      if (root && key == "metadata") {
        if (!child.is_object()) type_error(p, "object", child);
        continue;
      }
      if (props != nullptr) {
        if (auto it = props->find(key); it != props->end()) {
          check(*it, child, p, false, depth + 1);
          continue;
        }
      }
      if (additional != nullptr) {
        check(*additional, child, p, false, depth + 1);
        continue;
      }
      if (additional_allowed || preserve) continue;
      if (embedded && (key == "apiVersion" || key == "kind" || key == "metadata")) continue;
      add(p, "unknown field \"" + p + "\"", true);
    }
    check_count(schema, v.size(), path, "maxProperties", "minProperties", "properties");
  }

  void check_array(const json& schema, const json& v, const std::string& path, std::size_t depth) {
    if (auto items = schema.find("items"); items != schema.end() && items->is_object()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        PathScope scope(path_, i);
        check(*items, v[i], path_, false, depth + 1);
      }
    }
    check_count(schema, v.size(), path, "maxItems", "minItems", "items");
  }

  // max/minProperties and max/minItems, with kube-apiserver's messages (its "Too many" says
  // "items" for objects too).
  void check_count(const json& schema, std::size_t count, const std::string& path,
                   const char* max_key, const char* min_key, const char* noun) {
    auto size = static_cast<std::int64_t>(count);
    if (auto it = schema.find(max_key); it != schema.end() && it->is_number()) {
      if (size > it->get<std::int64_t>()) {
        add(path, "Too many: " + std::to_string(size) + ": must have at most " +
                      std::to_string(it->get<std::int64_t>()) + " items");
      }
    }
    if (auto it = schema.find(min_key); it != schema.end() && it->is_number()) {
      if (size < it->get<std::int64_t>()) {
        invalid(path, size,
                path + " in body should have at least " + std::to_string(it->get<std::int64_t>()) +
                    " " + noun);
      }
    }
  }

  void check_string(const json& schema, const std::string& s, const std::string& path) {
    std::size_t len = utf8_length(s);
    if (auto it = schema.find("maxLength"); it != schema.end() && it->is_number()) {
      if (static_cast<std::int64_t>(len) > it->get<std::int64_t>()) {
        add(path, "Too long: may not be longer than " + std::to_string(it->get<std::int64_t>()));
      }
    }
    if (auto it = schema.find("minLength"); it != schema.end() && it->is_number()) {
      if (static_cast<std::int64_t>(len) < it->get<std::int64_t>()) {
        invalid(path, s,
                path + " in body should be at least " + std::to_string(it->get<std::int64_t>()) +
                    " chars long");
      }
    }
    if (auto it = schema.find("pattern"); it != schema.end() && it->is_string()) {
      const std::regex* re = pattern_regex(it->get<std::string>());
      if (re != nullptr && !std::regex_search(s, *re)) {
        invalid(path, s, path + " in body should match '" + it->get<std::string>() + "'");
      }
    }
    if (auto it = schema.find("format"); it != schema.end() && it->is_string()) {
      const auto& format = it->get_ref<const std::string&>();
      if (!valid_format(format, s)) {
        invalid(path, s,
                path + " in body must be of type " + format + ": " + json_text::dump(json(s)));
      }
    }
  }

  void check_number(const json& schema, const json& v, const std::string& path) {
    double d = v.get<double>();
    if (auto it = schema.find("maximum"); it != schema.end() && it->is_number()) {
      double max = it->get<double>();
      bool exclusive = flag(schema, "exclusiveMaximum");
      if (exclusive ? d >= max : d > max) {
        invalid(path, v,
                path + " in body should be less than " + (exclusive ? "" : "or equal to ") +
                    number_text(*it));
      }
    }
    if (auto it = schema.find("minimum"); it != schema.end() && it->is_number()) {
      double min = it->get<double>();
      bool exclusive = flag(schema, "exclusiveMinimum");
      if (exclusive ? d <= min : d < min) {
        invalid(path, v,
                path + " in body should be greater than " + (exclusive ? "" : "or equal to ") +
                    number_text(*it));
      }
    }
    if (auto it = schema.find("multipleOf"); it != schema.end() && it->is_number()) {
      double m = it->get<double>();
      if (m > 0) {
        double q = d / m;
        if (std::fabs(q - std::round(q)) > 1e-9) {
          invalid(path, v, path + " in body should be a multiple of " + number_text(*it));
        }
      }
    }
  }

  std::vector<SchemaProblem>& out_;
  std::string path_;
};

void prune(const json& schema, json& v, bool root, std::size_t depth = 0) {
  if (!schema.is_object()) return;
  if (depth > kMaxValidationDepth) return;  // validation reports it
  if (v.is_array()) {
    if (auto items = schema.find("items"); items != schema.end() && items->is_object()) {
      for (auto& item : v) prune(*items, item, false, depth + 1);
    }
    return;
  }
  if (!v.is_object()) return;
  const json* props = nullptr;
  if (auto it = schema.find("properties"); it != schema.end() && it->is_object()) props = &*it;
  const json* additional = nullptr;
  bool additional_allowed = false;
  if (auto it = schema.find("additionalProperties"); it != schema.end()) {
    if (it->is_object()) additional = &*it;
    if (it->is_boolean()) additional_allowed = it->get<bool>();
  }
  const bool preserve = flag(schema, "x-kubernetes-preserve-unknown-fields");
  const bool embedded = flag(schema, "x-kubernetes-embedded-resource");
  for (auto it = v.begin(); it != v.end();) {
    const std::string key = it.key();
    if (root && (key == "apiVersion" || key == "kind" || key == "metadata")) {
      ++it;
      continue;
    }
    const json* child_schema = nullptr;
    if (props != nullptr) {
      if (auto p = props->find(key); p != props->end()) child_schema = &*p;
    }
    if (child_schema == nullptr) child_schema = additional;
    bool keep = child_schema != nullptr || additional_allowed || preserve ||
                (embedded && (key == "apiVersion" || key == "kind" || key == "metadata"));
    // A null for a property that is not nullable is dropped, as it would be before defaulting.
    if (keep && child_schema != nullptr && it->is_null() && child_schema->is_object() &&
        !flag(*child_schema, "nullable")) {
      keep = false;
    }
    if (!keep) {
      it = v.erase(it);
      continue;
    }
    if (child_schema != nullptr) prune(*child_schema, *it, false, depth + 1);
    ++it;
  }
}

}  // namespace

std::vector<SchemaProblem> validate_against_schema(const nlohmann::json& schema,
                                                   const nlohmann::json& object) {
  std::vector<SchemaProblem> out;
  // No schema (built-ins) validates nothing.
  if (!schema.is_object()) return out;
  Validator(out).check_root(schema, object);
  return out;
}

void prune_to_schema(const nlohmann::json& schema, nlohmann::json& object) {
  prune(schema, object, true);
}

}  // namespace ferrum::apiserver
