#include "kmsg_line.hpp"

#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>

namespace ferrum::linkd {

using Json = nlohmann::json;

namespace {

constexpr std::array<std::string_view, 6> kEnrichKeys = {"server_uuid",   "namespace", "cluster",
                                                         "metal_machine", "machine",   "node"};

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  out += ",";
  append_json_string(out, key);
  out.push_back(':');
  append_json_string(out, value);
}

}  // namespace

std::string enrich_kmsg_line(std::string_view line, std::string_view source,
                             const NodeAnnotation* a, std::string& out) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  std::size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "empty line";
  line.remove_prefix(first);
  if (line.front() != '{' || line.back() != '}') return "not a JSON object";
  // nlohmann's lexer takes a NUL byte for the end of input, so "{}\0..." would be accepted
  // as "{}" and the enrichment appended after the NUL, where readers of the line never see
  // it. JSON has no raw NUL anywhere (RFC 8259 section 7: control characters are escaped).
  if (line.find('\0') != std::string_view::npos) return "malformed JSON";
  // Fast path: the line is valid JSON and has none of our keys, so the enrichment is
  // appended before the closing brace without re-serializing the node's fields.
  bool has_ours = false;
  for (auto k : kEnrichKeys) {
    if (line.find(fmt::format("\"{}\"", k)) != std::string_view::npos) has_ours = true;
  }
  if (!has_ours) {
    if (!Json::accept(line)) return "malformed JSON";
    out.assign(line.substr(0, line.size() - 1));
    bool empty_object = line.find_first_not_of(" \t\r\n", 1) == line.size() - 1;
    std::size_t mark = out.size();
    if (a != nullptr) {
      append_field(out, "server_uuid", a->server_uuid);
      append_field(out, "namespace", a->namespace_);
      append_field(out, "cluster", a->cluster);
      append_field(out, "metal_machine", a->metal_machine);
      append_field(out, "machine", a->machine);
    }
    append_field(out, "node", source);
    if (empty_object && out.size() > mark) out.erase(mark, 1);  // "{," -> "{"
    out.push_back('}');
    return {};
  }
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded()) return "malformed JSON";
  if (!j.is_object()) return "not a JSON object";
  auto put = [&j](const char* k, const std::string& v) {
    if (!v.empty()) j[k] = v;
  };
  if (a != nullptr) {
    put("server_uuid", a->server_uuid);
    put("namespace", a->namespace_);
    put("cluster", a->cluster);
    put("metal_machine", a->metal_machine);
    put("machine", a->machine);
  }
  put("node", std::string(source));
  out = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return {};
}

}  // namespace ferrum::linkd
