#include "ferrum/siderolink_secret.hpp"

#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/secret.hpp"
#include "ferrum/siderolink_address.hpp"

namespace ferrum::siderolink {

Expected<SecretName, std::string> parse_secret_name(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size() ||
      text.find('/', slash + 1) != std::string_view::npos) {
    return unexpected(std::string(text) + ": want <namespace>/<name>");
  }
  return SecretName{std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))};
}

kube::InformerSettings installation_secret_watch(const SecretName& name) {
  kube::InformerSettings s;
  s.resource = kube::resource_of(model::kSecret);
  s.ns = name.ns;
  s.field_selector = "metadata.name=" + name.name;
  return s;
}

Expected<std::string, std::string> server_address_of(const kube::Json& secret) {
  auto id = model::Secret(secret).value(kInstallationIdKey);
  if (!id) return unexpected("no " + std::string(kInstallationIdKey) + " key");
  if (id->empty()) return unexpected(std::string(kInstallationIdKey) + " is empty");
  return format_ipv6(server_address(*id));
}

namespace {
std::string identity_of(const kube::Json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return "@";
  return m->value("uid", "") + "@" + m->value("resourceVersion", "");
}
}  // namespace

InstallationAddress::InstallationAddress(const kube::ObjectStore* secrets, SecretName name)
    : secrets_(secrets), name_(std::move(name)) {}

InstallationAddress::Current InstallationAddress::current() const {
  Current c;
  if (secrets_ == nullptr) {
    c.why_not = "the installation Secret is not watched";
    return c;
  }
  c.secret = secrets_->get(name_.key());
  if (!c.secret) {
    c.why_not = "Secret " + name_.key() + " not found";
    return c;
  }
  c.identity = identity_of(*c.secret);
  {
    std::lock_guard lock(mu_);
    if (derived_for_ == c.identity && !derived_address_.empty()) {
      c.address = derived_address_;
      return c;
    }
  }
  auto a = server_address_of(*c.secret);
  if (!a) {
    c.why_not = "Secret " + name_.key() + ": " + a.error();
    return c;
  }
  c.address = *a;
  std::lock_guard lock(mu_);
  derived_for_ = c.identity;
  derived_address_ = c.address;
  return c;
}

}  // namespace ferrum::siderolink
