#include <algorithm>
#include <charconv>
#include <cstdint>

#include "ferrum/model/label_selector.hpp"

namespace ferrum::model {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, at most 63 characters.
std::optional<std::string> name_part_error(std::string_view s, std::string_view what) {
  if (s.empty()) return std::string(what) + " must not be empty";
  if (s.size() > 63) return std::string(what) + " must be no more than 63 characters";
  if (!is_alnum(s.front()) || !is_alnum(s.back())) {
    return std::string(what) + " must begin and end with an alphanumeric character";
  }
  for (char c : s) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') {
      return std::string(what) + " may contain only alphanumerics, '-', '_' and '.'";
    }
  }
  return std::nullopt;
}

// DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters.
std::optional<std::string> prefix_error(std::string_view s) {
  if (s.empty()) return "prefix must not be empty";
  if (s.size() > 253) return "prefix must be no more than 253 characters";
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_alnum(s.front()) || !lower_alnum(s.back())) {
    return "prefix must begin and end with a lowercase alphanumeric character";
  }
  for (char c : s) {
    if (!lower_alnum(c) && c != '-' && c != '.') {
      return "prefix must be a DNS subdomain (lowercase alphanumerics, '-' and '.')";
    }
  }
  return std::nullopt;
}

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Checks what every requirement must satisfy, whichever form it was written in.
std::optional<std::string> check_requirement(const LabelRequirement& r) {
  if (auto e = label_key_error(r.key)) return "invalid key " + quote(r.key) + ": " + *e;
  switch (r.op) {
    case SelectorOperator::kIn:
    case SelectorOperator::kNotIn:
      if (r.values.empty()) return "values must be non-empty for in and notin";
      break;
    case SelectorOperator::kEquals:
    case SelectorOperator::kNotEquals:
      if (r.values.size() != 1) return "exactly one value is required";
      break;
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      if (!r.values.empty()) return "values must be empty for exists and does-not-exist";
      break;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan:
      if (r.values.size() != 1 || !to_int(r.values[0])) {
        return "a single integer value is required for > and <";
      }
      return std::nullopt;
  }
  for (const auto& v : r.values) {
    if (auto e = label_value_error(v)) return "invalid value " + quote(v) + ": " + *e;
  }
  return std::nullopt;
}

// --- string form -----------------------------------------------------------------------

enum class Tok { kEnd, kIdent, kNot, kEq, kDoubleEq, kNotEq, kGt, kLt, kComma, kOpen, kClose };

struct Token {
  Tok kind;
  std::string_view text;
  std::size_t pos;
};

bool is_special(char c) {
  return c == '!' || c == '=' || c == ',' || c == '(' || c == ')' || c == '<' || c == '>';
}
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Token next() {
    while (i_ < s_.size() && is_space(s_[i_])) ++i_;
    std::size_t start = i_;
    if (i_ >= s_.size()) return {Tok::kEnd, {}, start};
    char c = s_[i_];
    auto two = [&](char second) { return i_ + 1 < s_.size() && s_[i_ + 1] == second; };
    switch (c) {
      case '!':
        if (two('=')) {
          i_ += 2;
          return {Tok::kNotEq, s_.substr(start, 2), start};
        }
        ++i_;
        return {Tok::kNot, s_.substr(start, 1), start};
      case '=':
        if (two('=')) {
          i_ += 2;
          return {Tok::kDoubleEq, s_.substr(start, 2), start};
        }
        ++i_;
        return {Tok::kEq, s_.substr(start, 1), start};
      case ',':
        ++i_;
        return {Tok::kComma, s_.substr(start, 1), start};
      case '(':
        ++i_;
        return {Tok::kOpen, s_.substr(start, 1), start};
      case ')':
        ++i_;
        return {Tok::kClose, s_.substr(start, 1), start};
      case '>':
        ++i_;
        return {Tok::kGt, s_.substr(start, 1), start};
      case '<':
        ++i_;
        return {Tok::kLt, s_.substr(start, 1), start};
      default:
        break;
    }
    while (i_ < s_.size() && !is_space(s_[i_]) && !is_special(s_[i_])) ++i_;
    return {Tok::kIdent, s_.substr(start, i_ - start), start};
  }

  Token peek() {
    auto saved = i_;
    Token t = next();
    i_ = saved;
    return t;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

std::string at(std::size_t pos, std::string_view msg) {
  return "position " + std::to_string(pos) + ": " + std::string(msg);
}

std::string describe(const Token& t) {
  if (t.kind == Tok::kEnd) return "end of input";
  return quote(t.text);
}

// Parses one requirement; on success the lexer is positioned before ',' or the end.
Expected<LabelRequirement, std::string> parse_requirement(Lexer& lx) {
  LabelRequirement r;
  Token t = lx.next();
  std::size_t key_pos = t.pos;
  if (t.kind == Tok::kNot) {
    Token key = lx.next();
    if (key.kind != Tok::kIdent) {
      return unexpected(at(key.pos, "expected a label key after '!', found " + describe(key)));
    }
    r.key = std::string(key.text);
    r.op = SelectorOperator::kDoesNotExist;
    key_pos = key.pos;
  } else if (t.kind == Tok::kIdent) {
    r.key = std::string(t.text);
    Token op = lx.peek();
    switch (op.kind) {
      case Tok::kEnd:
      case Tok::kComma:
        r.op = SelectorOperator::kExists;
        break;
      case Tok::kEq:
      case Tok::kDoubleEq:
      case Tok::kNotEq:
      case Tok::kGt:
      case Tok::kLt: {
        lx.next();
        r.op = op.kind == Tok::kNotEq ? SelectorOperator::kNotEquals
               : op.kind == Tok::kGt  ? SelectorOperator::kGreaterThan
               : op.kind == Tok::kLt  ? SelectorOperator::kLessThan
                                      : SelectorOperator::kEquals;
        Token v = lx.peek();
        if (v.kind == Tok::kIdent) {
          lx.next();
          r.values.emplace_back(v.text);
        } else if (v.kind == Tok::kEnd || v.kind == Tok::kComma) {
          r.values.emplace_back();  // `a=` selects the empty value
        } else {
          return unexpected(at(v.pos, "expected a value, found " + describe(v)));
        }
        break;
      }
      case Tok::kIdent: {
        if (op.text != "in" && op.text != "notin") {
          return unexpected(at(
              op.pos, "expected an operator (=, ==, !=, in, notin, >, <), found " + describe(op)));
        }
        lx.next();
        r.op = op.text == "in" ? SelectorOperator::kIn : SelectorOperator::kNotIn;
        Token open = lx.next();
        if (open.kind != Tok::kOpen) {
          return unexpected(at(open.pos, "expected '(', found " + describe(open)));
        }
        // identifier (',' identifier)* with empty entries allowed, as Kubernetes does.
        bool expect_value = true;
        while (true) {
          Token v = lx.next();
          if (v.kind == Tok::kClose) {
            if (expect_value && !r.values.empty()) r.values.emplace_back();
            break;
          }
          if (v.kind == Tok::kIdent && expect_value) {
            r.values.emplace_back(v.text);
            expect_value = false;
          } else if (v.kind == Tok::kComma) {
            if (expect_value) r.values.emplace_back();
            expect_value = true;
          } else {
            return unexpected(at(v.pos, "expected a value, ',' or ')', found " + describe(v)));
          }
        }
        if (r.values.empty()) return unexpected(at(open.pos, "values set must not be empty"));
        break;
      }
      default:
        return unexpected(
            at(op.pos, "expected an operator (=, ==, !=, in, notin, >, <), found " + describe(op)));
    }
  } else {
    return unexpected(at(t.pos, "expected a label key or '!', found " + describe(t)));
  }
  if (auto e = check_requirement(r)) return unexpected(at(key_pos, *e));
  return r;
}

std::string op_name(SelectorOperator op) {
  switch (op) {
    case SelectorOperator::kEquals:
      return "=";
    case SelectorOperator::kNotEquals:
      return "!=";
    case SelectorOperator::kIn:
      return "in";
    case SelectorOperator::kNotIn:
      return "notin";
    case SelectorOperator::kExists:
      return "";
    case SelectorOperator::kDoesNotExist:
      return "!";
    case SelectorOperator::kGreaterThan:
      return ">";
    case SelectorOperator::kLessThan:
      return "<";
  }
  return "";
}

}  // namespace

std::optional<std::string> label_key_error(std::string_view key) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos) return name_part_error(key, "name part");
  if (auto e = prefix_error(key.substr(0, slash))) return e;
  return name_part_error(key.substr(slash + 1), "name part");
}

std::optional<std::string> label_value_error(std::string_view value) {
  if (value.empty()) return std::nullopt;
  return name_part_error(value, "value");
}

bool LabelRequirement::matches(const Labels& labels) const {
  auto it = labels.find(key);
  bool has = it != labels.end();
  auto in_values = [&] {
    return has && std::find(values.begin(), values.end(), it->second) != values.end();
  };
  switch (op) {
    case SelectorOperator::kEquals:
    case SelectorOperator::kIn:
      return in_values();
    case SelectorOperator::kNotEquals:
    case SelectorOperator::kNotIn:
      return !in_values();
    case SelectorOperator::kExists:
      return has;
    case SelectorOperator::kDoesNotExist:
      return !has;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan: {
      if (!has || values.size() != 1) return false;
      auto actual = to_int(it->second);
      auto bound = to_int(values[0]);
      if (!actual || !bound) return false;
      return op == SelectorOperator::kGreaterThan ? *actual > *bound : *actual < *bound;
    }
  }
  return false;
}

std::string LabelRequirement::to_string() const {
  switch (op) {
    case SelectorOperator::kExists:
      return key;
    case SelectorOperator::kDoesNotExist:
      return "!" + key;
    case SelectorOperator::kIn:
    case SelectorOperator::kNotIn: {
      std::vector<std::string> sorted = values;
      std::sort(sorted.begin(), sorted.end());
      std::string out = key + " " + op_name(op) + " (";
      for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (i > 0) out += ",";
        out += sorted[i];
      }
      return out + ")";
    }
    default:
      return key + op_name(op) + (values.empty() ? std::string{} : values[0]);
  }
}

LabelSelector LabelSelector::nothing() {
  LabelSelector s;
  s.nothing_ = true;
  return s;
}

Expected<LabelSelector, std::string> LabelSelector::from_json(const json& selector,
                                                              std::string_view field) {
  LabelSelector out;
  std::string f(field);
  if (selector.is_null()) return out;
  if (!selector.is_object()) return unexpected(f + ": must be an object");

  if (auto it = selector.find("matchLabels"); it != selector.end() && !it->is_null()) {
    if (!it->is_object()) return unexpected(f + ".matchLabels: must be an object");
    for (auto kv = it->begin(); kv != it->end(); ++kv) {
      std::string where = f + ".matchLabels[" + quote(kv.key()) + "]";
      if (!kv->is_string()) return unexpected(where + ": value must be a string");
      LabelRequirement r{kv.key(), SelectorOperator::kEquals, {kv->get<std::string>()}};
      if (auto e = check_requirement(r)) return unexpected(where + ": " + *e);
      out.requirements_.push_back(std::move(r));
    }
  }

  if (auto it = selector.find("matchExpressions"); it != selector.end() && !it->is_null()) {
    if (!it->is_array()) return unexpected(f + ".matchExpressions: must be a list");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& e = (*it)[i];
      std::string where = f + ".matchExpressions[" + std::to_string(i) + "]";
      if (!e.is_object()) return unexpected(where + ": must be an object");
      auto key = get_string(e, {"key"});
      if (!key) return unexpected(where + ".key: required string");
      auto op = get_string(e, {"operator"});
      if (!op) return unexpected(where + ".operator: required string");
      LabelRequirement r;
      r.key = *key;
      if (*op == "In") {
        r.op = SelectorOperator::kIn;
      } else if (*op == "NotIn") {
        r.op = SelectorOperator::kNotIn;
      } else if (*op == "Exists") {
        r.op = SelectorOperator::kExists;
      } else if (*op == "DoesNotExist") {
        r.op = SelectorOperator::kDoesNotExist;
      } else {
        return unexpected(where + ".operator: unsupported operator " + quote(*op) +
                          " (want In, NotIn, Exists or DoesNotExist)");
      }
      if (auto v = e.find("values"); v != e.end() && !v->is_null()) {
        if (!v->is_array()) return unexpected(where + ".values: must be a list of strings");
        for (const auto& item : *v) {
          if (!item.is_string()) return unexpected(where + ".values: must be a list of strings");
          r.values.push_back(item.get<std::string>());
        }
      }
      if (auto err = check_requirement(r)) {
        bool about_key = err->rfind("invalid key", 0) == 0;
        return unexpected(where + (about_key ? ".key: " : ".values: ") + *err);
      }
      out.requirements_.push_back(std::move(r));
    }
  }
  return out;
}

Expected<LabelSelector, std::string> LabelSelector::parse(std::string_view text) {
  LabelSelector out;
  Lexer lx(text);
  if (lx.peek().kind == Tok::kEnd) return out;
  while (true) {
    auto r = parse_requirement(lx);
    if (!r) return unexpected(r.error());
    out.requirements_.push_back(std::move(r).value());
    Token sep = lx.next();
    if (sep.kind == Tok::kEnd) break;
    if (sep.kind != Tok::kComma) {
      return unexpected(at(sep.pos, "expected ',' or end of input, found " + describe(sep)));
    }
  }
  return out;
}

bool LabelSelector::matches(const Labels& labels) const {
  if (nothing_) return false;
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const LabelRequirement& r) { return r.matches(labels); });
}

std::string LabelSelector::to_string() const {
  std::string out;
  for (std::size_t i = 0; i < requirements_.size(); ++i) {
    if (i > 0) out += ",";
    out += requirements_[i].to_string();
  }
  return out;
}

}  // namespace ferrum::model
