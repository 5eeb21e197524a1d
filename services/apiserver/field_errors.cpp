#include "field_errors.hpp"

namespace ferrum::apiserver {

namespace {
std::string printed(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

FieldError FieldError::invalid(std::string field, const nlohmann::json& value,
                               const std::string& detail) {
  std::string body = "Invalid value: " + printed(value);
  if (!detail.empty()) body += ": " + detail;
  return {"FieldValueInvalid", std::move(field), std::move(body)};
}

FieldError FieldError::required(std::string field, const std::string& detail) {
  return {"FieldValueRequired", std::move(field),
          detail.empty() ? "Required value" : "Required value: " + detail};
}

FieldError FieldError::forbidden(std::string field, const std::string& detail) {
  return {"FieldValueForbidden", std::move(field), "Forbidden: " + detail};
}

FieldError FieldError::too_long(std::string field, std::size_t limit) {
  return {"FieldValueTooLong", std::move(field),
          "Too long: may not be more than " + std::to_string(limit) + " bytes"};
}

FieldError FieldError::not_supported(std::string field, const nlohmann::json& value,
                                     const std::vector<std::string>& supported) {
  std::string body = "Unsupported value: " + printed(value) + ": supported values: ";
  for (std::size_t i = 0; i < supported.size(); ++i)
    body += (i ? ", " : "") + printed(supported[i]);
  return {"FieldValueNotSupported", std::move(field), std::move(body)};
}

ApiError invalid_status(const std::string& group, const std::string& kind, const std::string& name,
                        const FieldErrors& errors) {
  std::string qualified = group.empty() ? kind : kind + "." + group;
  std::string all;
  nlohmann::json causes = nlohmann::json::array();
  for (const auto& e : errors) {
    all += (all.empty() ? "" : ", ") + e.message();
    causes.push_back({{"reason", e.type}, {"message", e.body}, {"field", e.field}});
  }
  ApiError out{
      422, "Invalid",
      qualified + " \"" + name + "\" is invalid: " + (errors.size() > 1 ? "[" + all + "]" : all)};
  out.details = {{"name", name}, {"kind", kind}, {"causes", causes}};
  if (!group.empty()) out.details["group"] = group;
  return out;
}

}  // namespace ferrum::apiserver
