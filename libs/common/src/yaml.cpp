#include "ferrum/yaml.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <sstream>
#include <unordered_set>

#include "ferrum/json_text.hpp"

namespace ferrum::yaml {
namespace {

using json = nlohmann::json;

// Alias expansion can turn a few hundred bytes into billions of nodes ("billion laughs");
// patches arrive on request paths, so conversion stops well before memory does.
constexpr std::size_t kMaxNodes = 1'000'000;

constexpr std::string_view kTagStr = "tag:yaml.org,2002:str";
constexpr std::string_view kTagInt = "tag:yaml.org,2002:int";
constexpr std::string_view kTagFloat = "tag:yaml.org,2002:float";
constexpr std::string_view kTagBool = "tag:yaml.org,2002:bool";
constexpr std::string_view kTagNull = "tag:yaml.org,2002:null";

bool is_null_word(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> bool_word(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

// YAML 1.1 booleans. Read as strings here, but quoted on output so that go-yaml v2
// (kubectl, sigs.k8s.io/yaml) does not turn them into booleans either.
bool is_yaml11_bool_word(std::string_view s) {
  // The length check first: hashing a long string (a certificate) costs more than the rest of
  // emitting it.
  if (s.size() > 3) return false;
  static const std::unordered_set<std::string_view> words = {"y",  "Y",   "yes", "Yes", "YES", "n",
                                                             "N",  "no",  "No",  "NO",  "on",  "On",
                                                             "ON", "off", "Off", "OFF"};
  return words.count(s) != 0;
}

bool is_digit_in_base(char c, int base) {
  if (base == 16) return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  return c >= '0' && c < static_cast<char>('0' + base);
}

std::optional<json> resolve_int(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    // Leading-zero octal is YAML 1.1, but both go-yaml versions read it so: Kubernetes
    // `defaultMode: 0644` and Talos file permissions mean 420.
    base = 8;
    s.remove_prefix(1);
  }
  for (char c : s) {
    if (!is_digit_in_base(c, base)) return std::nullopt;
  }
  std::uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (ec == std::errc::result_out_of_range) {
    double d = 0;
    for (char c : s) {
      int digit = std::isdigit(static_cast<unsigned char>(c))
                      ? c - '0'
                      : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
      d = d * base + digit;
    }
    return json(negative ? -d : d);
  }
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  constexpr auto kInt64Max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (!negative) {
    if (magnitude <= kInt64Max) return json(static_cast<std::int64_t>(magnitude));
    return json(magnitude);
  }
  if (magnitude <= kInt64Max) return json(-static_cast<std::int64_t>(magnitude));
  if (magnitude == kInt64Max + 1) return json(std::numeric_limits<std::int64_t>::min());
  return json(-static_cast<double>(magnitude));
}

// YAML 1.2 core float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool matches_core_float(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

std::optional<double> resolve_float(std::string_view s) {
  static const std::unordered_set<std::string_view> inf = {".inf", ".Inf", ".INF"};
  static const std::unordered_set<std::string_view> nan = {".nan", ".NaN", ".NAN"};
  if (s.size() > 5 && !matches_core_float(s)) return std::nullopt;  // not .inf/.nan, no hashing
  if (nan.count(s)) return std::numeric_limits<double>::quiet_NaN();
  bool negative = !s.empty() && s[0] == '-';
  std::string_view unsigned_part = s;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) unsigned_part.remove_prefix(1);
  if (inf.count(unsigned_part)) {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  // Digits alone are never a float here: integers are resolved first, and what is left
  // ("089") stays a string, as a typed string field in Go would keep it.
  if (!matches_core_float(s) || s.find_first_of(".eE") == std::string_view::npos) {
    return std::nullopt;
  }
  double value = 0;
  auto [ptr, ec] =
      std::from_chars(unsigned_part.data(), unsigned_part.data() + unsigned_part.size(), value,
                      std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    // Overflow to infinity, underflow to zero, as strtod would.
    bool tiny = unsigned_part.find("e-") != std::string_view::npos ||
                unsigned_part.find("E-") != std::string_view::npos;
    value = tiny ? 0.0 : std::numeric_limits<double>::infinity();
  } else if (ec != std::errc() || ptr != unsigned_part.data() + unsigned_part.size()) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

// Whether a plain scalar reads as a string: resolve_plain without building the value (the
// emitter asks this of every string it writes).
bool plain_reads_as_string(std::string_view s) {
  return !is_null_word(s) && !bool_word(s) && !resolve_int(s) && !resolve_float(s);
}

// How a plain (unquoted, untagged) scalar reads.
json resolve_plain(std::string_view s) {
  if (is_null_word(s)) return nullptr;
  if (auto b = bool_word(s)) return *b;
  if (auto i = resolve_int(s)) return *i;
  if (auto f = resolve_float(s)) return *f;
  return std::string(s);
}

struct ConversionError {
  YAML::Mark mark;
  std::string reason;
};

ParseError to_parse_error(const YAML::Mark& mark, std::string reason) {
  ParseError e;
  if (!mark.is_null()) {
    e.line = static_cast<std::size_t>(mark.line) + 1;
    e.column = static_cast<std::size_t>(mark.column) + 1;
  }
  e.reason = std::move(reason);
  return e;
}

// yaml-cpp 0.7.0 decodes the double-quoted escapes \N (U+0085) and \_ (U+00A0) into the
// single bytes 0x85 and 0xA0 (exp.cpp, Escape) instead of their UTF-8 encodings. The input was
// checked to be UTF-8, so a lone such byte in a scalar can only come from there (found by
// tests/fuzz yaml_fuzz: the emitted text no longer parsed).
std::string utf8_scalar(const std::string& text) {
  if (!json_text::invalid_utf8_at(text)) return text;
  std::string out;
  out.reserve(text.size() + 4);
  std::string_view rest = text;
  while (auto at = json_text::invalid_utf8_at(rest)) {
    out.append(rest.substr(0, *at));
    auto byte = static_cast<unsigned char>(rest[*at]);
    if (byte == 0x85 || byte == 0xA0) {
      out += '\xC2';
      out += static_cast<char>(byte);
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD: not reachable from UTF-8 input, never bad bytes
    }
    rest.remove_prefix(*at + 1);
  }
  out.append(rest);
  return out;
}

class Converter {
 public:
  json convert(const YAML::Node& node, std::size_t depth) {
    if (++nodes_ > kMaxNodes) {
      throw ConversionError{node.Mark(), "document expands to more than 1000000 nodes"};
    }
    if (depth > kMaxDepth) {
      throw ConversionError{node.Mark(),
                            "nesting deeper than " + std::to_string(kMaxDepth) + " levels"};
    }
    switch (node.Type()) {
      case YAML::NodeType::Null:
        return node.Tag() == kTagStr ? json("") : json(nullptr);
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        json out = json::array();
        for (const auto& item : node) out.push_back(convert(item, depth + 1));
        return out;
      }
      case YAML::NodeType::Map: {
        json out = json::object();
        for (const auto& entry : node) {
          const YAML::Node& key = entry.first;
          // yaml-cpp turns `null:` and `~:` keys into null nodes; sigs.k8s.io/yaml calls them
          // "null" too.
          if (!key.IsScalar() && !key.IsNull()) {
            throw ConversionError{key.Mark(), "mapping key must be a scalar"};
          }
          const std::string name = key.IsNull() ? "null" : utf8_scalar(key.Scalar());
          if (out.contains(name)) {
            throw ConversionError{key.Mark(), "duplicate key \"" + name + "\""};
          }
          out[name] = convert(entry.second, depth + 1);
        }
        return out;
      }
      case YAML::NodeType::Undefined:
        break;
    }
    return nullptr;
  }

 private:
  static json scalar(const YAML::Node& node) {
    const std::string& tag = node.Tag();
    const std::string text = utf8_scalar(node.Scalar());
    if (tag == "?") return resolve_plain(text);
    if (tag == kTagInt) {
      if (auto i = resolve_int(text)) return *i;
      throw ConversionError{node.Mark(), "\"" + text + "\" is not a valid !!int"};
    }
    if (tag == kTagFloat) {
      if (auto i = resolve_int(text)) return i->get<double>();
      if (auto f = resolve_float(text)) return *f;
      throw ConversionError{node.Mark(), "\"" + text + "\" is not a valid !!float"};
    }
    if (tag == kTagBool) {
      if (auto b = bool_word(text)) return *b;
      throw ConversionError{node.Mark(), "\"" + text + "\" is not a valid !!bool"};
    }
    if (tag == kTagNull) {
      if (is_null_word(text)) return nullptr;
      throw ConversionError{node.Mark(), "\"" + text + "\" is not a valid !!null"};
    }
    // "!" (quoted or block scalar), !!str, and any other tag: the text as written.
    return text;
  }

  std::size_t nodes_ = 0;
};

// go-yaml (v2 for sigs.k8s.io/yaml, v3 for Talos) refuses input that is not UTF-8
// (readerc.go: "invalid leading/trailing UTF-8 octet") and control characters other than tab,
// LF and CR, DEL and C1 controls other than NEL (readerc.go yaml_parser_update_buffer: "control
// characters are not allowed"). yaml-cpp passes such bytes through into strings nothing
// downstream can serialise, and NUL bytes make it guess UTF-16/32 and decode garbage (found by
// tests/fuzz yaml_fuzz).
std::optional<std::size_t> control_character_at(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return i;
    if (c == 0xC2 && i + 1 < text.size()) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F && next != 0x85) return i;
    }
  }
  return std::nullopt;
}

std::optional<ParseError> utf8_error(std::string_view text) {
  auto at = json_text::invalid_utf8_at(text);
  const char* what = "invalid UTF-8";
  if (!at) {
    at = control_character_at(text);
    what = "control characters are not allowed";
  }
  if (!at) return std::nullopt;
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < *at; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  auto byte = static_cast<unsigned char>(text[*at]);
  return ParseError{line, column,
                    std::string(what) + " (byte 0x" + kHex[byte >> 4] + kHex[byte & 15] + ")"};
}

// yaml-cpp 0.7.0 can loop forever on some malformed streams (found by tests/fuzz yaml_fuzz:
// `, data": {"ab": "dg=="}{...` makes HandleNextDocument return an empty document at the same
// position again and again, and LoadAll collects them until memory runs out). A first pass
// over the events, which allocates no nodes, stops when a document starts where the previous
// one did.
class ProgressCheck final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (last_start_ && mark.pos <= *last_start_) {
      throw ConversionError{mark, "malformed YAML stream: the parser stopped making progress here"};
    }
    last_start_ = mark.pos;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  std::optional<int> last_start_;
};

Expected<std::vector<json>, ParseError> load(std::string_view text) {
  if (auto e = utf8_error(text)) return unexpected(std::move(*e));
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    ProgressCheck check;
    while (parser.HandleNextDocument(check)) {
    }
  } catch (const ConversionError& e) {
    return unexpected(to_parse_error(e.mark, e.reason));
  } catch (const YAML::Exception& e) {
    return unexpected(to_parse_error(e.mark, e.msg));
  }
  try {
    std::vector<YAML::Node> nodes = YAML::LoadAll(std::string(text));
    std::vector<json> docs;
    docs.reserve(nodes.size());
    Converter converter;
    for (const auto& node : nodes) docs.push_back(converter.convert(node, 0));
    return docs;
  } catch (const ConversionError& e) {
    return unexpected(to_parse_error(e.mark, e.reason));
  } catch (const YAML::Exception& e) {
    return unexpected(to_parse_error(e.mark, e.msg));
  }
}

// ---- emitting ----

bool is_numeric_looking(std::string_view s) {
  // Anything some YAML 1.1 parser could take for a number: sexagesimal (1:20), underscores
  // (1_000), binary (0b1), dates (2001-12-14). Dotted quads (IP addresses) stay plain.
  std::size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  if (i >= s.size()) return false;
  if (!std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') return false;
  int dots = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      ++dots;
    } else if (!std::isxdigit(static_cast<unsigned char>(c)) &&
               std::string_view("_:+-xXoObB").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return dots <= 1;
}

// U+0080..U+009F, U+2028, U+2029, U+FEFF: legal in JSON strings, but YAML wants them escaped
// (or, for the line separators, YAML 1.1 treats them as line breaks).
std::size_t special_unicode_length(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  if (b(i) == 0xC2 && i + 1 < s.size() && b(i + 1) >= 0x80 && b(i + 1) <= 0x9F) return 2;
  if (i + 2 < s.size()) {
    if (b(i) == 0xE2 && b(i + 1) == 0x80 && (b(i + 2) == 0xA8 || b(i + 2) == 0xA9)) return 3;
    if (b(i) == 0xEF && b(i + 1) == 0xBB && b(i + 2) == 0xBF) return 3;
  }
  return 0;
}

bool has_unprintable(std::string_view s, bool allow_newline) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) continue;  // printable ASCII, nearly every byte of a config
    if (c == '\n' && allow_newline) continue;
    if (c < 0x80 || special_unicode_length(s, i) != 0) return true;
  }
  return false;
}

bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  if (!plain_reads_as_string(s)) return true;
  if (is_yaml11_bool_word(s) || s == "=" || s == "<<") return true;
  if (is_numeric_looking(s)) return true;
  if (std::string_view("?:,[]{}#&*!|>'\"%@`").find(s[0]) != std::string_view::npos) return true;
  if (s[0] == '-' && (s.size() == 1 || s[1] == ' ')) return true;
  if (s.starts_with("---") || s.starts_with("...")) return true;
  if (s.front() == ' ' || s.back() == ' ' || s.back() == ':') return true;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) {
    return true;
  }
  return has_unprintable(s, false);
}

// Literal block style only where it reproduces the string exactly: the first line must set
// the indentation (so no leading space or blank line) and every character must be printable.
bool literal_fits(std::string_view s) {
  return s.find('\n') != std::string_view::npos && s[0] != ' ' && s[0] != '\n' &&
         !has_unprintable(s, true);
}

void write_double_quoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '"';
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\0':
        out += "\\0";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      continue;
    }
    if (std::size_t n = special_unicode_length(s, i); n != 0) {
      unsigned code = 0;
      if (n == 2) {
        code = static_cast<unsigned char>(s[i + 1]);
      } else {
        code = ((static_cast<unsigned char>(s[i]) & 0x0Fu) << 12) |
               ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
               (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      }
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(code >> shift) & 0xF];
      i += n - 1;
      continue;
    }
    out += static_cast<char>(c);
  }
  out += '"';
}

void write_literal(std::string& out, std::string_view s, std::size_t indent) {
  std::size_t trailing = 0;
  while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
  out += trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+";
  out += '\n';
  std::string_view body = s.substr(0, s.size() - trailing);
  std::size_t start = 0;
  while (true) {
    std::size_t end = body.find('\n', start);
    std::string_view line = body.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty()) out.append(indent, ' ').append(line);
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  // "|+" keeps the breaks after the last line; the first one is already written.
  if (trailing > 1) out.append(trailing - 1, '\n');
}

std::string float_text(double d) {
  if (std::isnan(d)) return ".nan";
  if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
  std::string text = json(d).dump();
  // YAML 1.1 floats need a '.', so 1e+100 is written 1.0e+100.
  if (text.find('.') == std::string::npos) {
    std::size_t e = text.find_first_of("eE");
    if (e == std::string::npos) {
      text += ".0";
    } else {
      text.insert(e, ".0");
    }
  }
  return text;
}

// Writes a scalar (or an empty container) and ends the line. `indent` is where block
// scalar content goes.
void write_scalar(std::string& out, const json& v, std::size_t indent) {
  switch (v.type()) {
    case json::value_t::null:
      out += "null";
      break;
    case json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      break;
    case json::value_t::number_integer:
      out += std::to_string(v.get<std::int64_t>());
      break;
    case json::value_t::number_unsigned:
      out += std::to_string(v.get<std::uint64_t>());
      break;
    case json::value_t::number_float:
      out += float_text(v.get<double>());
      break;
    case json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (!needs_quotes(s)) {
        out += s;
      } else if (literal_fits(s)) {
        write_literal(out, s, indent);
        return;  // ends its own lines
      } else {
        write_double_quoted(out, s);
      }
      break;
    }
    case json::value_t::object:
      out += "{}";
      break;
    case json::value_t::array:
      out += "[]";
      break;
    case json::value_t::binary:
    case json::value_t::discarded:
      out += "null";
      break;
  }
  out += '\n';
}

void write_key(std::string& out, const std::string& key) {
  if (needs_quotes(key)) {
    write_double_quoted(out, key);
  } else {
    out += key;
  }
}

bool is_nested_block(const json& v) { return (v.is_object() || v.is_array()) && !v.empty(); }

void write_seq_items(std::string& out, const json& arr, std::size_t indent, bool first_inline);

void write_map_entries(std::string& out, const json& obj, std::size_t indent, bool first_inline) {
  bool first = true;
  for (const auto& [key, value] : obj.items()) {
    if (!(first && first_inline)) out.append(indent, ' ');
    first = false;
    write_key(out, key);
    out += ':';
    if (value.is_object() && !value.empty()) {
      out += '\n';
      write_map_entries(out, value, indent + 2, false);
    } else if (value.is_array() && !value.empty()) {
      out += '\n';
      write_seq_items(out, value, indent + 2, false);
    } else {
      out += ' ';
      write_scalar(out, value, indent + 2);
    }
  }
}

void write_seq_items(std::string& out, const json& arr, std::size_t indent, bool first_inline) {
  bool first = true;
  for (const auto& item : arr) {
    if (!(first && first_inline)) out.append(indent, ' ');
    first = false;
    out += "- ";
    if (item.is_object() && is_nested_block(item)) {
      write_map_entries(out, item, indent + 2, true);
    } else if (item.is_array() && is_nested_block(item)) {
      write_seq_items(out, item, indent + 2, true);
    } else {
      write_scalar(out, item, indent + 2);
    }
  }
}

}  // namespace

std::string ParseError::message() const {
  if (line == 0) return reason;
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + reason;
}

Expected<json, ParseError> parse(std::string_view text) {
  auto docs = parse_all(text);
  if (!docs) return unexpected(docs.error());
  if (docs->size() > 1) {
    return unexpected(
        ParseError{0, 0, "expected one YAML document, found " + std::to_string(docs->size())});
  }
  if (docs->empty()) return json(nullptr);
  return std::move(docs->front());
}

Expected<std::vector<json>, ParseError> parse_all(std::string_view text) {
  auto docs = load(text);
  if (!docs) return docs;
  std::vector<json> kept;
  for (auto& doc : *docs) {
    if (!doc.is_null()) kept.push_back(std::move(doc));
  }
  return kept;
}

namespace {

void emit_into(std::string& out, const json& doc) {
  if (doc.is_object() && !doc.empty()) {
    write_map_entries(out, doc, 0, false);
  } else if (doc.is_array() && !doc.empty()) {
    write_seq_items(out, doc, 0, false);
  } else {
    write_scalar(out, doc, 2);
  }
}

}  // namespace

std::string emit(const json& doc) {
  std::string out;
  emit_into(out, doc);
  return out;
}

std::string emit_all(const std::vector<json>& docs) {
  std::string out;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    if (i > 0) out += "---\n";
    emit_into(out, docs[i]);
  }
  return out;
}

}  // namespace ferrum::yaml
