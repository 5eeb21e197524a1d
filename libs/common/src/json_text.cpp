#include "ferrum/json_text.hpp"

#include <utility>
#include <vector>

namespace ferrum::json_text {

namespace {

// Length of the well-formed UTF-8 sequence at s[i], or 0 when the byte there cannot start
// one (RFC 3629 table 3-7: no overlongs, no surrogates, nothing above U+10FFFF).
std::size_t sequence_length(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

std::optional<std::size_t> invalid_utf8_at(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = sequence_length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

std::string valid_utf8(std::string_view s) {
  if (!invalid_utf8_at(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = sequence_length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

std::optional<std::size_t> too_deep_at(std::string_view text, std::size_t max_depth) {
  std::size_t level = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++level > max_depth) return i;
    } else if ((c == ']' || c == '}') && level > 0) {
      --level;
    }
  }
  return std::nullopt;
}

std::size_t depth(const nlohmann::json& v, std::size_t limit) {
  std::size_t deepest = 0;
  std::vector<std::pair<const nlohmann::json*, std::size_t>> todo{{&v, 0}};
  while (!todo.empty()) {
    auto [node, level] = todo.back();
    todo.pop_back();
    if (!node->is_structured()) continue;
    std::size_t here = level + 1;
    if (here > deepest) deepest = here;
    if (deepest > limit) return deepest;
    for (const auto& child : *node) {
      if (child.is_structured()) todo.emplace_back(&child, here);
    }
  }
  return deepest;
}

bool all_utf8(const nlohmann::json& v) {
  std::vector<const nlohmann::json*> todo{&v};
  while (!todo.empty()) {
    const nlohmann::json* node = todo.back();
    todo.pop_back();
    if (node->is_string()) {
      if (invalid_utf8_at(node->get_ref<const std::string&>())) return false;
    } else if (node->is_object()) {
      for (auto it = node->begin(); it != node->end(); ++it) {
        if (invalid_utf8_at(it.key())) return false;
        todo.push_back(&*it);
      }
    } else if (node->is_array()) {
      for (const auto& child : *node) todo.push_back(&child);
    }
  }
  return true;
}

std::string depth_message(std::size_t max_depth) {
  return "exceeded max depth of " + std::to_string(max_depth);
}

Expected<nlohmann::json, std::string> parse(std::string_view text, std::size_t max_depth) {
  if (auto at = invalid_utf8_at(text)) {
    return unexpected("invalid UTF-8 at byte " + std::to_string(*at));
  }
  if (auto at = too_deep_at(text, max_depth)) {
    return unexpected(depth_message(max_depth) + " at byte " + std::to_string(*at));
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // The message quotes the text near the error ("last read: ..."), which is client input.
    return unexpected(valid_utf8(e.what()));
  }
}

std::string dump(const nlohmann::json& v, int indent) {
  return v.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ferrum::json_text
