#include "kernel_args.hpp"

#include <algorithm>

namespace ferrum::ipxe {

std::string_view arg_key(std::string_view arg) { return arg.substr(0, arg.find('=')); }

std::vector<std::string> split_args(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') ++i;
    if (i > start) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

std::vector<std::string> override_args(std::vector<std::string> base,
                                       const std::vector<std::string>& overrides) {
  // Group the overrides by key, keeping their order, then splice each group in.
  std::vector<std::string> keys;
  for (const auto& o : overrides) {
    std::string k(arg_key(o));
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  for (const auto& k : keys) {
    std::vector<std::string> values;
    for (const auto& o : overrides) {
      if (arg_key(o) == k) values.push_back(o);
    }
    auto first = std::find_if(base.begin(), base.end(),
                              [&](const std::string& a) { return arg_key(a) == k; });
    std::size_t pos =
        first == base.end() ? base.size() : static_cast<std::size_t>(first - base.begin());
    std::erase_if(base, [&](const std::string& a) { return arg_key(a) == k; });
    base.insert(base.begin() + static_cast<std::ptrdiff_t>(std::min(pos, base.size())),
                values.begin(), values.end());
  }
  return base;
}

void append_unless_set(std::vector<std::string>& args, const std::string& arg) {
  auto key = arg_key(arg);
  for (const auto& a : args) {
    if (arg_key(a) == key) return;
  }
  args.push_back(arg);
}

std::string join_args(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) {
    if (!out.empty()) out.push_back(' ');
    out += a;
  }
  return out;
}

}  // namespace ferrum::ipxe
