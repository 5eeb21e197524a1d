#include <algorithm>
#include <functional>

#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server_class_match.hpp"

namespace ferrum::model {
namespace {

// Finds a distinct actual entry for every qualifier entry (bipartite matching by augmenting
// paths). Lists here are processors, modules, disks and NICs: small enough for O(n^3).
bool match_lists(const json& qualifier, const json& actual) {
  std::vector<const json*> wanted;
  for (const auto& q : qualifier) {
    if (!is_zero_value(q)) wanted.push_back(&q);
  }
  if (wanted.size() > actual.size()) return false;
  const std::size_t n = wanted.size();
  const std::size_t m = actual.size();
  std::vector<std::vector<bool>> fits(n, std::vector<bool>(m));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < m; ++k)
      fits[i][k] = hardware_partially_equal(*wanted[i], &actual[k]);
  }
  std::vector<std::ptrdiff_t> owner(m, -1);
  std::function<bool(std::size_t, std::vector<bool>&)> assign = [&](std::size_t i,
                                                                    std::vector<bool>& seen) {
    for (std::size_t k = 0; k < m; ++k) {
      if (!fits[i][k] || seen[k]) continue;
      seen[k] = true;
      if (owner[k] < 0 || assign(static_cast<std::size_t>(owner[k]), seen)) {
        owner[k] = static_cast<std::ptrdiff_t>(i);
        return true;
      }
    }
    return false;
  };
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<bool> seen(m);
    if (!assign(i, seen)) return false;
  }
  return true;
}

}  // namespace

bool hardware_partially_equal(const json& qualifier, const json* actual) {
  if (is_zero_value(qualifier)) return true;
  if (actual == nullptr) return false;
  if (qualifier.is_object()) {
    if (!actual->is_object()) return false;
    for (auto it = qualifier.begin(); it != qualifier.end(); ++it) {
      auto found = actual->find(it.key());
      if (!hardware_partially_equal(it.value(), found == actual->end() ? nullptr : &*found)) {
        return false;
      }
    }
    return true;
  }
  if (qualifier.is_array()) {
    return actual->is_array() && match_lists(qualifier, *actual);
  }
  return qualifier == *actual;
}

bool label_selector_qualifiers_match(std::span<const Labels> selectors, const Labels& labels) {
  if (selectors.empty()) return true;
  for (const auto& selector : selectors) {
    for (const auto& [key, value] : selector) {
      auto it = labels.find(key);
      if (it != labels.end() && it->second == value) return true;
    }
  }
  return false;
}

bool available_for(const Server& server) {
  return server.accepted() && !server.cordoned() && !server.in_use();
}

Expected<ServerClassMatcher, std::string> ServerClassMatcher::compile(
    const ServerClass& server_class) {
  ServerClassMatcher m;
  if (server_class.name() == kServerClassAny) {
    m.match_all_ = true;
    return m;
  }
  const json* hw = server_class.hardware_qualifiers_json();
  m.hardware_ = hw != nullptr && hw->is_array() ? *hw : json::array();
  m.label_selectors_ = server_class.label_selector_qualifiers();
  if (const json* sel = server_class.selector_json()) {
    auto compiled = LabelSelector::from_json(*sel, "spec.selector");
    if (!compiled) return unexpected(compiled.error());
    m.selector_ = std::move(compiled).value();
  }
  return m;
}

bool ServerClassMatcher::matches(const Server& server) const {
  if (match_all_) return true;
  if (!hardware_.empty()) {
    const json* actual = server.hardware_json();
    bool any = std::any_of(hardware_.begin(), hardware_.end(), [&](const json& q) {
      return actual != nullptr && hardware_partially_equal(q, actual);
    });
    if (!any) return false;
  }
  Labels labels = server.labels();
  return label_selector_qualifiers_match(label_selectors_, labels) && selector_.matches(labels);
}

Expected<ServerClassMembership, std::string> compute_membership(const ServerClass& server_class,
                                                                std::span<const Server> servers) {
  auto matcher = ServerClassMatcher::compile(server_class);
  if (!matcher) return unexpected(matcher.error());
  ServerClassMembership out;
  for (const Server& s : servers) {
    if (!s.accepted() || s.cordoned() || !matcher->matches(s)) continue;
    (s.in_use() ? out.in_use : out.available).push_back(s.name());
  }
  std::sort(out.available.begin(), out.available.end());
  std::sort(out.in_use.begin(), out.in_use.end());
  return out;
}

}  // namespace ferrum::model
