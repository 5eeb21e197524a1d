#include "ferrum/patch.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "ferrum/json_text.hpp"
#include "ferrum/talos_merge_rules.hpp"
#include "ferrum/yaml.hpp"

namespace ferrum::patch {
namespace {

using json = nlohmann::json;

// ---- JSON pointers ----

std::optional<std::string> pointer_syntax_error(const std::string& pointer) {
  if (pointer.empty()) return std::nullopt;
  if (pointer[0] != '/') return "must be empty or start with '/'";
  for (std::size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] == '~' &&
        (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))) {
      return "'~' must be followed by 0 or 1 (write '~' as ~0 and '/' as ~1)";
    }
  }
  return std::nullopt;
}

// A pointer addresses a node as deep as it has tokens; none of a document within the nesting
// limit is deeper (and walking a longer one costs quadratic time for its error messages).
std::optional<std::string> pointer_depth_error(const std::string& pointer) {
  auto tokens = static_cast<std::size_t>(std::count(pointer.begin(), pointer.end(), '/'));
  if (tokens <= json_text::kMaxNestingDepth) return std::nullopt;
  return std::to_string(tokens) + " tokens: " + json_text::depth_message();
}

std::vector<std::string> pointer_tokens(const std::string& pointer) {
  std::vector<std::string> tokens;
  std::size_t start = 1;
  while (start <= pointer.size() && !pointer.empty()) {
    std::size_t end = pointer.find('/', start);
    std::string raw = pointer.substr(start, end == std::string::npos ? end : end - start);
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size()) {
        token += raw[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        token += raw[i];
      }
    }
    tokens.push_back(std::move(token));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return tokens;
}

std::string escape_token(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointer_prefix(const std::vector<std::string>& tokens, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += "/" + escape_token(tokens[i]);
  return out;
}

std::string display(const std::string& pointer) { return pointer.empty() ? "\"\"" : pointer; }

// Where in a document: the empty pointer reads badly in a sentence.
std::string where(const std::string& pointer) {
  return pointer.empty() ? "the document root" : pointer;
}

std::string kind_name(const json& v) {
  switch (v.type()) {
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::null:
      return "null";
    default:
      return "a number";
  }
}

// RFC 6901 array indexes: "0" or digits without a leading zero.
std::optional<std::size_t> array_index(const std::string& token) {
  if (token.empty() || token.size() > 18) return std::nullopt;
  if (token.size() > 1 && token[0] == '0') return std::nullopt;
  std::size_t value = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return value;
}

// Follows the first `count` tokens; on failure says in words where and why.
struct Walk {
  const json* node = nullptr;
  std::string failure;
  bool missing = false;  // the failure is "does not exist" (not a malformed index)
};

Walk walk(const json& doc, const std::vector<std::string>& tokens, std::size_t count) {
  const json* cur = &doc;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string& token = tokens[i];
    std::string here = pointer_prefix(tokens, i);
    std::string next = pointer_prefix(tokens, i + 1);
    if (cur->is_object()) {
      auto it = cur->find(token);
      if (it == cur->end()) return {nullptr, "path " + next + " does not exist", true};
      cur = &*it;
    } else if (cur->is_array()) {
      if (token == "-") {
        return {nullptr, "path " + next + " does not exist ('-' is past the end of the array)",
                true};
      }
      auto index = array_index(token);
      if (!index) {
        return {nullptr, "\"" + token + "\" is not an index into the array at " + where(here) +
                             " (use digits without leading zeros)"};
      }
      if (*index >= cur->size()) {
        return {nullptr,
                "array index " + token + " is out of range at " + where(here) + " (the array has " +
                    std::to_string(cur->size()) + " elements)",
                true};
      }
      cur = &(*cur)[*index];
    } else {
      return {nullptr, "path " + where(here) + " is " + kind_name(*cur) +
                           ", not an object or array, so " + next + " does not exist"};
    }
  }
  return {cur, {}};
}

std::string abbreviated(const json& v) {
  std::string text = json_text::dump(v);
  if (text.size() > 120) text = text.substr(0, 117) + "...";
  return text;
}

// Where `add` (or the second half of move/copy) would put a value, is there room?
std::optional<std::string> check_add_target(const json& doc,
                                            const std::vector<std::string>& tokens) {
  if (tokens.empty()) return std::nullopt;  // replaces the whole document
  Walk parent = walk(doc, tokens, tokens.size() - 1);
  std::string parent_path = pointer_prefix(tokens, tokens.size() - 1);
  if (!parent.node) {
    return parent.missing ? parent.failure + ": add it with op add first" : parent.failure;
  }
  const json& container = *parent.node;
  const std::string& last = tokens.back();
  if (container.is_object()) return std::nullopt;
  if (container.is_array()) {
    if (last == "-") return std::nullopt;
    auto index = array_index(last);
    if (!index) {
      return "\"" + last + "\" is not an index into the array at " + where(parent_path) +
             " (use digits without leading zeros, or - to append)";
    }
    if (*index > container.size()) {
      return "array index " + last + " is out of range at " + where(parent_path) +
             " (the array has " + std::to_string(container.size()) + " elements; use - to append)";
    }
    return std::nullopt;
  }
  return "path " + where(parent_path) + " is " + kind_name(container) +
         ", not an object or array: cannot add " + last + " to it";
}

// The RFC 6902 preconditions of one operation against the document as it is now.
std::optional<std::string> check_operation(const json& doc, const json& operation,
                                           const std::string& op, const std::string& path) {
  std::vector<std::string> tokens = pointer_tokens(path);
  if (op == "add") return check_add_target(doc, tokens);
  if (op == "remove" || op == "replace" || op == "test") {
    if (op == "remove" && tokens.empty()) return "cannot remove the whole document";
    Walk target = walk(doc, tokens, tokens.size());
    if (!target.node) {
      if (op == "test" || !target.missing) return target.failure;
      if (op == "remove") return target.failure + ": nothing to remove";
      Walk parent = walk(doc, tokens, tokens.size() - 1);
      if (!parent.node) {
        return parent.missing ? parent.failure + ": add it with op add first" : parent.failure;
      }
      return target.failure + ": use op add to create it";
    }
    if (op == "test" && *target.node != operation.at("value")) {
      return "test failed: expected " + abbreviated(operation.at("value")) + ", actual " +
             abbreviated(*target.node);
    }
    return std::nullopt;
  }
  // move, copy
  const std::string& from = operation.at("from").get_ref<const std::string&>();
  Walk source = walk(doc, pointer_tokens(from), pointer_tokens(from).size());
  if (!source.node) return "from: " + source.failure;
  if (op == "move" && from == path) return std::nullopt;
  return check_add_target(doc, tokens);
}

constexpr std::array<std::string_view, 6> kOps = {"add",  "remove", "replace",
                                                  "move", "copy",   "test"};

// Checks the shape of one operation; fills op/path for the error as far as they are known.
std::optional<PatchError> validate_operation(const json& operation, std::size_t index) {
  PatchError error;
  error.index = index;
  if (!operation.is_object()) {
    error.reason = "an operation must be an object, not " + kind_name(operation);
    return error;
  }
  auto field = [&](const char* name) -> const json* {
    auto it = operation.find(name);
    return it == operation.end() ? nullptr : &*it;
  };
  const json* op = field("op");
  if (!op) {
    error.reason = "missing field \"op\"";
    return error;
  }
  if (!op->is_string()) {
    error.reason = "field \"op\" must be a string, not " + kind_name(*op);
    return error;
  }
  error.op = op->get<std::string>();
  if (std::find(kOps.begin(), kOps.end(), error.op) == kOps.end()) {
    error.reason =
        "unknown op \"" + error.op + "\": use one of add, remove, replace, move, copy, test";
    return error;
  }
  const json* path = field("path");
  if (!path) {
    error.reason = "missing field \"path\"";
    return error;
  }
  if (!path->is_string()) {
    error.reason = "field \"path\" must be a string, not " + kind_name(*path);
    return error;
  }
  error.path = path->get<std::string>();
  if (auto bad = pointer_syntax_error(error.path)) {
    error.reason = "invalid path: " + *bad;
    return error;
  }
  if (auto bad = pointer_depth_error(error.path)) {
    error.reason = "invalid path: " + *bad;
    return error;
  }
  if ((error.op == "add" || error.op == "replace" || error.op == "test") && !field("value")) {
    error.reason = "missing field \"value\"";
    return error;
  }
  if (error.op == "move" || error.op == "copy") {
    const json* from = field("from");
    if (!from) {
      error.reason = "missing field \"from\"";
      return error;
    }
    if (!from->is_string()) {
      error.reason = "field \"from\" must be a string, not " + kind_name(*from);
      return error;
    }
    const auto& from_path = from->get_ref<const std::string&>();
    if (auto bad = pointer_syntax_error(from_path)) {
      error.reason = "invalid from: " + *bad;
      return error;
    }
    if (auto bad = pointer_depth_error(from_path)) {
      error.reason = "invalid from: " + *bad;
      return error;
    }
    if (error.op == "move" && error.path.size() > from_path.size() &&
        error.path.compare(0, from_path.size(), from_path) == 0 &&
        error.path[from_path.size()] == '/') {
      error.reason = "cannot move " + display(from_path) + " into its own child";
      return error;
    }
  }
  return std::nullopt;
}

// The depth the document would have where an add/replace/copy/move puts its value: as many
// levels as the path has tokens, plus the value's own.
std::optional<std::string> check_result_depth(const json& doc, const json& operation,
                                              const std::string& op, const std::string& path) {
  const json* value = nullptr;
  if (op == "add" || op == "replace") {
    value = &operation.at("value");
  } else if (op == "copy" || op == "move") {
    const auto& from = operation.at("from").get_ref<const std::string&>();
    auto tokens = pointer_tokens(from);
    value = walk(doc, tokens, tokens.size()).node;
  }
  if (value == nullptr) return std::nullopt;
  std::size_t at = pointer_tokens(path).size();
  std::size_t limit = json_text::kMaxNestingDepth;
  if (at + json_text::depth(*value, limit) > limit) {
    return "the value would nest the document deeper than " + std::to_string(limit) + " levels (" +
           json_text::depth_message() + ")";
  }
  return std::nullopt;
}

// nlohmann's what() starts with "[json.exception.out_of_range.403] "; operators need the rest.
std::string without_exception_prefix(const std::string& what) {
  if (what.starts_with("[json.exception.")) {
    std::size_t end = what.find("] ");
    if (end != std::string::npos) return what.substr(end + 2);
  }
  return what;
}

// ---- strategic merge ----
//
// Talos' rules (pkg/machinery/config/merge/merge.go, v1.13.0): maps merge key by key, lists
// append, scalars replace unless the patch's value is the zero value ("" or 0; false does
// replace), and the typed exceptions of talos_merge_rules.hpp. `$patch: delete`
// (pkg/machinery/config/configloader/internal/decoder/delete.go): Talos takes every delete out
// of a patch document and applies them before merging what is left, so deletes here run as a
// first pass over the patch and the merge as a second.

constexpr const char* kDirective = "$patch";

struct MergeError {
  std::string path;
  std::string reason;
};

bool is_directive(const json& v) { return v.is_object() && v.contains(kDirective); }

void require_delete(const json& directive, const std::string& path) {
  const json& value = directive.at(kDirective);
  if (value != "delete") {
    throw MergeError{path, "unsupported $patch directive " + json_text::dump(value) + " at " +
                               display(path) + ": only delete is supported"};
  }
}

std::string shape_name(const json& v) {
  if (v.is_object()) return "a map";
  if (v.is_array()) return "a list";
  return "a scalar (" + abbreviated(v) + ")";
}

[[noreturn]] void type_mismatch(const std::string& path, const json& target, const json& patch) {
  throw MergeError{path, "type mismatch at " + display(path) + ": cannot merge " +
                             shape_name(patch) + " into " + shape_name(target)};
}

// A patch value that lands where nothing was: directives have nothing left to act on, and
// nulls ("change nothing") are dropped.
json strip_directives(const json& v, const std::string& path) {
  if (v.is_object()) {
    json out = json::object();
    for (const auto& [key, child] : v.items()) {
      std::string child_path = path + "/" + escape_token(key);
      if (key == kDirective) {
        require_delete(v, path);
        continue;
      }
      if (is_directive(child)) {
        require_delete(child, child_path);
        continue;
      }
      if (child.is_null()) continue;
      out[key] = strip_directives(child, child_path);
    }
    return out;
  }
  if (v.is_array()) {
    json out = json::array();
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::string child_path = path + "/" + std::to_string(i);
      if (is_directive(v[i])) {
        require_delete(v[i], child_path);
        continue;
      }
      out.push_back(strip_directives(v[i], child_path));
    }
    return out;
  }
  return v;
}

bool has_fields(const json& element, const json& selector) {
  if (!element.is_object()) return false;
  for (const auto& [key, value] : selector.items()) {
    if (key == kDirective) continue;
    auto it = element.find(key);
    if (it == element.end() || *it != value) return false;
  }
  return true;
}

// Whether nothing of a patch value is left once its deletes are taken out: Talos' decoder
// (delete.go, processNode) drops a map or list that its deletes leave empty, so such a value
// neither creates its key where it is missing nor replaces a `merge:"replace"` field.
bool vanishes(const json& v) {
  if (is_directive(v)) return true;
  if (!v.is_object() && !v.is_array()) return false;
  if (v.empty()) return false;  // written empty, not emptied by deletes
  return std::all_of(v.begin(), v.end(), [](const json& child) { return vanishes(child); });
}

// A list element `{<fields>, $patch: delete}` removes the target's elements having all of
// <fields>.
void delete_list_elements(json& target, const json& directive, const std::string& path) {
  require_delete(directive, path);
  if (directive.size() < 2) {
    throw MergeError{path, "list element with $patch: delete at " + path +
                               " must have another field to select what to delete"};
  }
  json kept = json::array();
  for (auto& existing : target) {
    if (!has_fields(existing, directive)) kept.push_back(std::move(existing));
  }
  target = std::move(kept);
}

// merge.go leaves a value alone when the patch's is the Go zero value; false is the exception
// ("boolean false is always merged").
bool is_zero_scalar(const json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>().empty();
  if (v.is_number()) return v == 0;
  return false;
}

// A field of a list element, with the Go zero value standing in for an absent one.
json field_or(const json& element, const char* name, json zero) {
  auto it = element.find(name);
  return it == element.end() || it->is_null() ? zero : *it;
}

// A deviceSelector as Talos compares it: its fields, absent and empty alike. Talos compares
// the struct with ==, which compares `physical` (a *bool) by address, so two selectors with
// `physical` never match there and the patch's interface is appended; here `physical` is
// compared by value, so such a patch merges rather than duplicating the interface.
json selector_fields(const json& selector) {
  json out = json::object();
  for (const auto& [key, value] : selector.items()) {
    if (value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty())) {
      continue;
    }
    out[key] = value;
  }
  return out;
}

// Does `existing` have the key of `element` under `key`? nullopt: `element` has no key (it
// is appended).
std::optional<bool> same_key(ListKey key, const json& existing, const json& element) {
  if (!element.is_object()) return std::nullopt;
  if (!existing.is_object()) return false;
  switch (key) {
    case ListKey::kNetworkDevice: {
      json name = field_or(element, "interface", "");
      if (name != "") return field_or(existing, "interface", "") == name;
      json selector = field_or(element, "deviceSelector", nullptr);
      if (!selector.is_object()) return std::nullopt;
      json theirs = field_or(existing, "deviceSelector", nullptr);
      return theirs.is_object() && selector_fields(theirs) == selector_fields(selector);
    }
    case ListKey::kVlanId:
      return field_or(existing, "vlanId", 0) == field_or(element, "vlanId", 0);
    case ListKey::kName:
      return field_or(existing, "name", "") == field_or(element, "name", "");
    case ListKey::kMountPath:
      return field_or(existing, "mountPath", "") == field_or(element, "mountPath", "");
    case ListKey::kImage:
      return field_or(existing, "image", "") == field_or(element, "image", "");
    case ListKey::kNone:
      break;
  }
  return std::nullopt;
}

// One patch document into the config document with its identity.
class DocumentMerge {
 public:
  explicit DocumentMerge(std::string kind) : kind_(std::move(kind)) {}

  void run(json& target, const json& patch) {
    apply_deletes(target, patch, "");
    merge_map(target, patch, "", "");
  }

 private:
  static std::string child_schema(const std::string& schema, const std::string& key) {
    return schema.empty() ? key : schema + "/" + key;
  }

  // First pass: the deletes Talos extracts from a patch, i.e. those reached through maps
  // from the document root (Talos refuses deletes inside list elements; here those are left
  // to the second pass, which applies them inside the element the patch merges into).
  void apply_deletes(json& target, const json& patch, const std::string& path) {
    for (const auto& [key, value] : patch.items()) {
      if (key == kDirective) continue;  // document-level directive, handled by the caller
      std::string child_path = path + "/" + escape_token(key);
      if (is_directive(value)) {
        require_delete(value, child_path);
        target.erase(key);
        continue;
      }
      auto it = target.find(key);
      if (it == target.end()) continue;
      if (value.is_object() && it->is_object()) {
        apply_deletes(*it, value, child_path);
      } else if (value.is_array() && it->is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i) {
          if (is_directive(value[i])) {
            delete_list_elements(*it, value[i], child_path + "/" + std::to_string(i));
          }
        }
      }
    }
  }

  void merge_map(json& target, const json& patch, const std::string& path,
                 const std::string& schema) {
    for (const auto& [key, value] : patch.items()) {
      if (key == kDirective) continue;
      std::string child_path = path + "/" + escape_token(key);
      if (is_directive(value)) {
        require_delete(value, child_path);
        target.erase(key);  // already gone after the first pass, unless inside a list element
        continue;
      }
      if (value.is_null()) continue;
      auto it = target.find(key);
      if (it == target.end()) {
        if (vanishes(value)) continue;
        it = target.emplace(key, nullptr).first;
      }
      merge_value(*it, value, child_path, child_schema(schema, key));
    }
  }

  void merge_args(json& target, const json& patch, const std::string& path) {
    for (const auto& [key, value] : patch.items()) {
      if (key == kDirective) continue;
      std::string child_path = path + "/" + escape_token(key);
      if (is_directive(value)) {
        require_delete(value, child_path);
        target.erase(key);
      } else if (!value.is_null()) {
        target[key] = strip_directives(value, child_path);
      }
    }
  }

  void merge_list(json& target, const json& patch, const std::string& path,
                  const std::string& schema, const MergeRule& rule) {
    const std::string element_schema = schema + "/*";
    for (std::size_t i = 0; i < patch.size(); ++i) {
      const json& element = patch[i];
      if (is_directive(element)) {
        // Reached through maps only, the first pass has applied it already.
        if (element_depth_ > 0) {
          delete_list_elements(target, element, path + "/" + std::to_string(i));
        } else {
          require_delete(element, path + "/" + std::to_string(i));
        }
        continue;
      }
      std::size_t at = target.size();  // where the element goes: appended unless keyed
      if (rule.kind == MergeKind::kListMergeByKey || rule.kind == MergeKind::kListReplaceByKey) {
        // Talos searches the list as it grows, so two patch elements with one key merge too.
        for (std::size_t j = 0; j < target.size(); ++j) {
          if (same_key(rule.key, target[j], element).value_or(false)) {
            at = j;
            break;
          }
        }
      }
      std::string element_path = path + "/" + std::to_string(at);
      if (rule.kind == MergeKind::kListReplaceByKey && at < target.size()) {
        target[at] = strip_directives(element, element_path);
        continue;
      }
      // A new element is merged into nothing rather than copied, so the keyed lists inside
      // it (an interface's VLANs) do not keep duplicates either.
      if (at == target.size()) target.push_back(nullptr);
      ++element_depth_;
      merge_value(target[at], element, element_path, element_schema);
      --element_depth_;
    }
  }

  void merge_value(json& target, const json& patch, const std::string& path,
                   const std::string& schema) {
    if (patch.is_null()) return;
    const MergeRule rule = talos_merge_rule(kind_, schema);
    if (target.is_null()) {
      // Where nothing was, the patch's value lands as merged into an empty map or list: so
      // its directives are dropped and its keyed lists hold each key once. (Talos copies
      // such a subtree as it is, so a patch naming one interface twice where the config has
      // no interfaces would give two; Ferrum never duplicates an interface.)
      if (patch.is_object()) {
        target = json::object();
      } else if (patch.is_array()) {
        target = json::array();
      } else {
        target = patch;
        return;
      }
    }
    if (rule.kind == MergeKind::kReplace && !vanishes(patch)) {
      target = strip_directives(patch, path);
      return;
    }
    if (patch.is_object()) {
      if (!target.is_object()) type_mismatch(path, target, patch);
      if (rule.kind == MergeKind::kArgs) {
        merge_args(target, patch, path);
      } else {
        merge_map(target, patch, path, schema);
      }
    } else if (patch.is_array()) {
      if (!target.is_array()) type_mismatch(path, target, patch);
      merge_list(target, patch, path, schema, rule);
    } else {
      if (target.is_object() || target.is_array()) type_mismatch(path, target, patch);
      if (is_zero_scalar(patch) && rule.kind != MergeKind::kOverwriteZero) return;
      target = patch;
    }
  }

  std::string kind_;  // "" for the v1alpha1 machine config
  int element_depth_ = 0;
};

// Which config document a patch document is about. Talos' main config (v1alpha1) has no
// `kind`; a patch without `kind` (even without `version`) targets it.
struct Identity {
  bool main_config = false;
  std::string api_version;
  std::string kind;
  std::string name;
  bool operator==(const Identity&) const = default;
};

Identity identity_of(const json& doc) {
  Identity id;
  auto text = [&](const char* key) {
    auto it = doc.find(key);
    return it == doc.end() ? std::string() : json_text::dump(*it);
  };
  if (!doc.contains("kind")) {
    id.main_config = true;
    return id;
  }
  id.api_version = text("apiVersion");
  id.kind = text("kind");
  id.name = text("name");
  return id;
}

void apply_patch_document(std::vector<json>& config, const json& patch) {
  if (!patch.is_object()) {
    throw MergeError{"", "a patch document must be a map, not " + shape_name(patch)};
  }
  Identity id = identity_of(patch);
  auto target = std::find_if(config.begin(), config.end(), [&](const json& doc) {
    return doc.is_object() && identity_of(doc) == id;
  });
  if (patch.contains(kDirective)) {
    require_delete(patch, "");
    // selector.go: "can't delete the root of the legacy document".
    if (id.main_config) {
      throw MergeError{"",
                       "$patch: delete cannot delete the v1alpha1 machine config document "
                       "(Talos refuses to as well)"};
    }
    if (target != config.end()) config.erase(target);
    return;
  }
  if (target == config.end()) {
    config.push_back(json::object());
    target = config.end() - 1;
  }
  auto kind = patch.find("kind");  // the same as the target's, which may be new and empty
  bool named_kind = kind != patch.end() && kind->is_string();
  DocumentMerge(named_kind ? kind->get<std::string>() : std::string()).run(*target, patch);
}

// The index of the document a 1-based line falls in, counting `---` starts like a reader
// would; good enough to point an operator at the right document of a patch stream.
std::size_t document_at_line(std::string_view text, std::size_t line) {
  std::size_t index = 0;
  bool has_content = false;
  std::size_t current = 1;
  std::size_t start = 0;
  while (start <= text.size() && current < line) {
    std::size_t end = text.find('\n', start);
    std::string_view row =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    bool marker = row.starts_with("---") && (row.size() == 3 || row[3] == ' ' || row[3] == '\t');
    if (marker) {
      if (has_content) ++index;
      has_content = row.find_first_not_of(" \t", 3) != std::string_view::npos;
    } else if (!row.empty() && row.find_first_not_of(" \t") != std::string_view::npos &&
               row[row.find_first_not_of(" \t")] != '#' && row[0] != '%') {
      has_content = true;
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
    ++current;
  }
  return index;
}

}  // namespace

std::string PatchError::message() const {
  std::string out = index == kWholePatch ? "patch" : "operation " + std::to_string(index);
  if (!op.empty()) out += " (" + op + (path.empty() ? "" : " " + path) + ")";
  return out + ": " + reason;
}

Expected<json, PatchError> apply_json_patch(const json& doc, const json& patch) {
  return apply_json_patch(json(doc), patch);
}

Expected<json, PatchError> apply_json_patch(json&& doc, const json& patch) {
  if (!patch.is_array()) {
    return unexpected(
        PatchError{PatchError::kWholePatch, "", "",
                   "a JSON patch must be an array of operations, not " + kind_name(patch)});
  }
  // Validate everything first: a malformed operation late in the patch fails the patch
  // before any document is touched, and its message names that operation.
  for (std::size_t i = 0; i < patch.size(); ++i) {
    if (auto error = validate_operation(patch[i], i)) return unexpected(std::move(*error));
  }
  // nlohmann copies and compares values recursively: nothing deeper than the nesting limit
  // goes in, and no operation may build anything deeper.
  if (json_text::deeper_than(doc)) {
    return unexpected(
        PatchError{PatchError::kWholePatch, "", "",
                   "the document is nested too deeply: " + json_text::depth_message()});
  }
  json result = std::move(doc);
  for (std::size_t i = 0; i < patch.size(); ++i) {
    const json& operation = patch[i];
    const auto& op = operation.at("op").get_ref<const std::string&>();
    const auto& path = operation.at("path").get_ref<const std::string&>();
    if (auto reason = check_operation(result, operation, op, path)) {
      return unexpected(PatchError{i, op, path, std::move(*reason)});
    }
    if (auto reason = check_result_depth(result, operation, op, path)) {
      return unexpected(PatchError{i, op, path, std::move(*reason)});
    }
    try {
      result.patch_inplace(json::array({operation}));
    } catch (const json::exception& e) {
      return unexpected(PatchError{i, op, path, without_exception_prefix(e.what())});
    }
  }
  return result;
}

Expected<json, PatchError> apply_merge_patch(const json& doc, const json& patch) {
  // nlohmann's merge_patch recurses once per level of the patch; the result is no deeper
  // than the deeper of the two.
  for (const auto& [what, v] : {std::pair{"document", &doc}, std::pair{"patch", &patch}}) {
    if (json_text::deeper_than(*v)) {
      return unexpected(PatchError{
          PatchError::kWholePatch, "", "",
          std::string("the ") + what + " is nested too deeply: " + json_text::depth_message()});
    }
  }
  json result = doc;
  result.merge_patch(patch);
  return result;
}

std::string StrategicPatchError::message() const {
  return "patch document " + std::to_string(document) + ": " + reason;
}

Expected<std::vector<json>, StrategicPatchError> apply_strategic_patch(
    const std::vector<json>& config, std::string_view patch_yaml) {
  return apply_strategic_patch(std::vector<json>(config), patch_yaml);
}

Expected<std::vector<json>, StrategicPatchError> apply_strategic_patch(
    std::vector<json>&& config, std::string_view patch_yaml) {
  auto docs = yaml::parse_all(patch_yaml);
  if (!docs) {
    const yaml::ParseError& e = docs.error();
    return unexpected(
        StrategicPatchError{document_at_line(patch_yaml, e.line), "",
                            (e.line == 0 ? "YAML error: " : "YAML error at ") + e.message()});
  }
  return apply_strategic_patch(std::move(config), *docs);
}

Expected<std::vector<json>, StrategicPatchError> apply_strategic_patch(
    const std::vector<json>& config, const std::vector<json>& patch_docs) {
  return apply_strategic_patch(std::vector<json>(config), patch_docs);
}

Expected<std::vector<json>, StrategicPatchError> apply_strategic_patch(
    std::vector<json>&& config, const std::vector<json>& patch_docs) {
  // The merge recurses along the patch and copies subtrees of both: neither may be deeper
  // than the nesting limit (the result is then no deeper either).
  for (std::size_t i = 0; i < patch_docs.size(); ++i) {
    if (json_text::deeper_than(patch_docs[i])) {
      return unexpected(StrategicPatchError{
          i, "", "the patch document is nested too deeply: " + json_text::depth_message()});
    }
  }
  for (const auto& doc : config) {
    if (json_text::deeper_than(doc)) {
      return unexpected(StrategicPatchError{
          0, "", "the config is nested too deeply: " + json_text::depth_message()});
    }
  }
  std::vector<json> result = std::move(config);
  for (std::size_t i = 0; i < patch_docs.size(); ++i) {
    try {
      apply_patch_document(result, patch_docs[i]);
    } catch (const MergeError& e) {
      return unexpected(StrategicPatchError{i, e.path, e.reason});
    }
  }
  return result;
}

}  // namespace ferrum::patch
