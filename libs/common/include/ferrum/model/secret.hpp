#pragma once
// Core v1 Secret: data values are base64 in JSON; stringData holds plain text and, as in
// the API server, wins over data for the same key.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferrum/model/object.hpp"

namespace ferrum::model {

std::string base64_encode(std::string_view bytes);
// Standard alphabet with padding (what Kubernetes emits); nullopt on malformed input.
std::optional<std::string> base64_decode(std::string_view text);

class Secret : public Object {
 public:
  using Object::Object;
  static Secret make(std::string_view namespace_, std::string_view name);

  std::optional<std::string> type() const { return get_string(j_, {"type"}); }
  void set_type(std::string_view v) { set_field(j_, {"type"}, v); }
  // The decoded value of key from stringData or data; nullopt when absent or not base64.
  std::optional<std::string> value(std::string_view key) const;
  void set_value(std::string_view key, std::string_view bytes);
  // Keys present in data or stringData, sorted and unique.
  std::vector<std::string> keys() const;
};

}  // namespace ferrum::model
