#include "config_url.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

#include "ferrum/percent_encoding.hpp"

namespace ferrum::talos_node {
namespace {

// url.Values: keys sorted (Go's Encode sorts), each with its values in order.
using Query = std::map<std::string, std::vector<std::string>>;

// Go's url.ParseQuery: '&'-separated, a pair without '=' has an empty value, keys with ';'
// and undecodable pairs are dropped (ParseQuery reports them and Query() ignores the error).
Query parse_query(std::string_view raw) {
  Query q;
  while (!raw.empty()) {
    auto amp = raw.find('&');
    std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
    auto eq = pair.find('=');
    std::string k(pair.substr(0, eq));
    std::string v(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    std::replace(k.begin(), k.end(), '+', ' ');
    std::replace(v.begin(), v.end(), '+', ' ');
    auto dk = percent_decode(k);
    auto dv = percent_decode(v);
    if (!dk || !dv) continue;
    q[*dk].push_back(*dv);
  }
  return q;
}

// Go's url.QueryEscape.
std::string query_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string encode_query(const Query& q) {
  std::string out;
  for (const auto& [k, vs] : q) {
    for (const auto& v : vs) {
      if (!out.empty()) out += '&';
      out += query_escape(k) + "=" + query_escape(v);
    }
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Variable {
  std::string key;
  bool match_on_arg;
  const std::optional<std::string>* value;
};

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

// variable.go: the legacy `uuid=` form is a key whose single value is blank, or which has
// several values.
bool arg_matches(const Variable& v, const std::string& key, const std::vector<std::string>& vs) {
  return v.match_on_arg && key == v.key && !(vs.size() == 1 && !blank(vs[0]));
}

bool value_contains(const std::string& value, const std::string& var_lower) {
  return lower(value).find(var_lower) != std::string::npos;
}

std::string replace_all_ci(const std::string& value, const std::string& var_lower,
                           const std::string& with) {
  std::string low = lower(value);
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    auto hit = low.find(var_lower, pos);
    if (hit == std::string::npos) break;
    out += value.substr(pos, hit - pos);
    out += with;
    pos = hit + var_lower.size();
  }
  return out + value.substr(pos);
}

}  // namespace

std::string populate_config_url(std::string_view url, const UrlValues& values) {
  // url.go parses the whole URL; only the query changes, so the rest is kept as written.
  auto qpos = url.find('?');
  if (qpos == std::string_view::npos) return std::string(url);
  auto hash = url.find('#', qpos);
  std::string_view raw =
      url.substr(qpos + 1, hash == std::string_view::npos ? hash : hash - qpos - 1);
  std::string_view fragment =
      hash == std::string_view::npos ? std::string_view() : url.substr(hash);

  // AllVariables in variable.go (constants.UUIDKey, SerialNumberKey, MacKey, HostnameKey, CodeKey).
  const std::vector<Variable> vars = {{"uuid", true, &values.uuid},
                                      {"serial", false, &values.serial},
                                      {"mac", false, &values.mac},
                                      {"hostname", false, &values.hostname},
                                      {"code", false, &values.code}};
  Query q = parse_query(raw);
  std::vector<const Variable*> active;
  for (const auto& v : vars) {
    std::string needle = "${" + v.key + "}";
    bool match = false;
    for (const auto& [k, vs] : q) {
      if (arg_matches(v, k, vs)) match = true;
      for (const auto& s : vs) match = match || value_contains(s, needle);
    }
    if (match) active.push_back(&v);
  }
  if (active.empty()) return std::string(url);

  for (const auto* v : active) {
    if (!v->value->has_value()) continue;  // Talos would wait; the peer leaves it in place
    const std::string& with = **v->value;
    std::string needle = "${" + v->key + "}";
    for (auto& [k, vs] : q) {
      if (arg_matches(*v, k, vs)) {
        vs = {with};  // query.Set
        continue;
      }
      for (auto& s : vs) s = replace_all_ci(s, needle, with);
    }
  }
  return std::string(url.substr(0, qpos)) + "?" + encode_query(q) + std::string(fragment);
}

}  // namespace ferrum::talos_node
