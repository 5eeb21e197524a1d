#include "boot_decision.hpp"

#include "ferrum/contract.hpp"
#include "ferrum/model/json_fields.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server.hpp"
#include "ferrum/model/server_binding.hpp"
#include "ferrum/model/server_class.hpp"
#include "ferrum/talos_kernel_args.hpp"
#include "ipxe_script.hpp"
#include "kernel_args.hpp"
#include "sidero_compat.hpp"

namespace ferrum::ipxe {

std::string_view outcome_label(Outcome o) {
  switch (o) {
    case Outcome::kAgent:
      return "agent";
    case Outcome::kEnvironment:
      return "environment";
    case Outcome::kDisk:
      return "disk";
    case Outcome::kNotFound:
      return "404";
    case Outcome::kNotReady:
      return "412";
    case Outcome::kInvalid:
      return "500";
  }
  return "500";
}

std::vector<std::string> agent_args(const BootQuery& query, const DecisionSettings& settings) {
  std::vector<std::string> args = split_args(settings.console_args);
  args.push_back("initrd=" + std::string(kInitrdAsset));
  args.push_back("ip=dhcp");
  args.push_back("panic=30");
  args.push_back("printk.devkmsg=on");
  if (!query.mac.empty()) args.push_back(std::string(contract::kAgentMacArg) + "=" + query.mac);
  if (!settings.registry_endpoint.empty()) {
    args.push_back(std::string(contract::kAgentEndpointArg) + "=" + settings.registry_endpoint);
  }
  return override_args(std::move(args), settings.extra_agent_args);
}

TargetArgs compose_target_args(const nlohmann::json& env, const DecisionSettings& settings,
                               const std::string& link_server_address) {
  TargetArgs out;
  out.args = model::get_string_list(env, {"spec", "kernel", "args"});
  const std::string link_key = std::string(talos::kArgSideroLinkApi) + "=";
  if (!settings.sidero_api_host.empty() && !settings.link_api_endpoint.empty()) {
    for (auto& a : out.args) {
      if (a.rfind(link_key, 0) != 0) continue;
      auto to = rewrite_sidero_link_api(std::string_view(a).substr(link_key.size()),
                                        settings.sidero_api_host, settings.sidero_api_port,
                                        settings.link_api_endpoint);
      if (!to) continue;
      out.rewrites.push_back(a + " -> " + link_key + *to);
      a = link_key + *to;
    }
  }
  auto& args = out.args;
  if (!settings.metadata_endpoint.empty()) {
    append_unless_set(args, std::string(talos::kArgConfig) + "=http://" +
                                settings.metadata_endpoint + "/configdata?uuid=");
  }
  if (!settings.link_api_endpoint.empty()) {
    append_unless_set(args, link_key + settings.link_api_endpoint);
  }
  if (!link_server_address.empty()) {
    append_unless_set(args, std::string(talos::kArgLoggingKernel) + "=tcp://[" +
                                link_server_address + "]:" + std::to_string(siderolink::kLogsPort));
    append_unless_set(args, std::string(talos::kArgEventsSink) + "=[" + link_server_address +
                                "]:" + std::to_string(siderolink::kEventsPort));
  }
  return out;
}

std::vector<std::string> target_args(const nlohmann::json& env, const DecisionSettings& settings) {
  return compose_target_args(env, settings, settings.link_server_address).args;
}

std::string link_server_address(const BootCaches& caches, const DecisionSettings& settings) {
  if (!settings.link_server_address.empty()) return settings.link_server_address;
  if (caches.link_address == nullptr) return {};
  return caches.link_address->current().address;
}

namespace {

BootDecision finish_script(Outcome outcome, std::string environment, std::string reason,
                           Expected<std::string, std::string> script) {
  BootDecision d;
  d.environment = std::move(environment);
  d.reason = std::move(reason);
  if (!script) {
    d.outcome = Outcome::kInvalid;
    d.http_status = 500;
    d.body = script.error() + "\n";
    return d;
  }
  d.outcome = outcome;
  d.http_status = 200;
  d.body = std::move(*script);
  return d;
}

BootDecision agent(const BootQuery& q, const AssetReadiness& assets,
                   const DecisionSettings& settings, std::string reason) {
  std::string name = "agent-" + q.arch;
  if (auto why = assets.agent_unready(q.arch); !why.empty()) {
    return {Outcome::kNotReady, 412, "environment \"" + name + "\" is not ready: " + why + "\n",
            name, reason + "; agent environment not ready: " + why};
  }
  auto note = reason + ", booting the agent environment";
  return finish_script(Outcome::kAgent, name, reason,
                       render_environment_script(name, agent_args(q, settings), note));
}

std::string string_at(const kube::Json& j, model::FieldPath path) {
  const kube::Json* v = model::find_field(j, path);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

}  // namespace

BootDecision decide(const BootQuery& q, const BootCaches& caches, const AssetReadiness& assets,
                    const DecisionSettings& settings) {
  kube::ObjectPtr server_obj = q.uuid.empty() ? nullptr : caches.servers.get(q.uuid);
  if (!server_obj) {
    return agent(q, assets, settings,
                 q.uuid.empty() ? "request has no uuid" : "no Server " + q.uuid);
  }
  kube::ObjectPtr binding_obj = caches.bindings.get(q.uuid);
  if (!binding_obj) {
    return agent(q, assets, settings, "Server " + q.uuid + " has no ServerBinding");
  }
  // Read the cached objects in place: this runs per request and the views would copy them.
  const kube::Json& server = *server_obj;
  std::string class_name = string_at(*binding_obj, {"spec", "serverClassRef", "name"});
  kube::ObjectPtr class_obj = class_name.empty() ? nullptr : caches.classes.get(class_name);

  const kube::Json* conditions = model::find_field(server, {"status", "conditions"});
  bool pxe_booted =
      conditions != nullptr && model::is_condition_true(*conditions, model::kConditionPXEBooted);
  if (pxe_booted && !model::get_bool(server, {"spec", "pxeBootAlways"}).value_or(false)) {
    std::string method = string_at(server, {"spec", "bootFromDiskMethod"});
    std::string from = "Server";
    if (method.empty() && class_obj) {
      method = string_at(*class_obj, {"spec", "bootFromDiskMethod"});
      from = "ServerClass " + class_name;
    }
    if (method.empty()) {
      method = settings.default_boot_from_disk_method;
      from = "--boot-from-disk-method";
    }
    std::string reason =
        "Server " + q.uuid + " is PXEBooted, boot from disk (" + method + " from " + from + ")";
    BootDecision d{Outcome::kDisk, 200, {}, {}, reason};
    if (method == model::kBootFromDiskHttp404) {
      d.http_status = 404;
      d.body = "boot from disk\n";
    } else if (method == model::kBootFromDiskIpxeSanboot) {
      d.body = render_sanboot_script(reason);
    } else {
      d.body = render_exit_script(reason);
    }
    return d;
  }

  std::string env_name = string_at(server, {"spec", "environmentRef", "name"});
  std::string from = "Server.spec.environmentRef";
  if (env_name.empty() && class_obj) {
    env_name = string_at(*class_obj, {"spec", "environmentRef", "name"});
    from = "ServerClass " + class_name;
  }
  if (env_name.empty()) {
    env_name = std::string(model::kEnvironmentDefault);
    from = "the default";
  }
  std::string reason =
      "Server " + q.uuid + " is bound, environment " + env_name + " (from " + from + ")";
  auto env_obj = caches.environments.get(env_name);
  if (!env_obj) {
    return {Outcome::kNotFound, 404, "environment \"" + env_name + "\" not found\n", env_name,
            reason + "; Environment " + env_name + " not found"};
  }
  if (auto why = assets.environment_unready(*env_obj); !why.empty()) {
    return {Outcome::kNotReady, 412, "environment \"" + env_name + "\" is not ready: " + why + "\n",
            env_name, reason + "; not ready: " + why};
  }
  std::string link = link_server_address(caches, settings);
  if (link.empty()) {
    reason += "; no SideroLink installation Secret, so no talos.logging.kernel/talos.events.sink";
  }
  auto composed = compose_target_args(*env_obj, settings, link);
  for (const auto& r : composed.rewrites) reason += "; rewritten " + r;
  return finish_script(Outcome::kEnvironment, env_name, reason,
                       render_environment_script(env_name, composed.args, reason));
}

}  // namespace ferrum::ipxe
