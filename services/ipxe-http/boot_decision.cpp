#include "boot_decision.hpp"

#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server.hpp"
#include "ferrum/model/server_binding.hpp"
#include "ferrum/model/server_class.hpp"
#include "ipxe_script.hpp"
#include "kernel_args.hpp"

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
  if (!query.mac.empty()) args.push_back("ferrum.mac=" + query.mac);
  if (!settings.registry_endpoint.empty()) {
    args.push_back("ferrum.endpoint=" + settings.registry_endpoint);
  }
  return override_args(std::move(args), settings.extra_agent_args);
}

std::vector<std::string> target_args(const model::Environment& env,
                                     const DecisionSettings& settings) {
  std::vector<std::string> args = env.kernel().args;
  if (!settings.metadata_endpoint.empty()) {
    append_unless_set(args,
                      "talos.config=http://" + settings.metadata_endpoint + "/configdata?uuid=");
  }
  if (!settings.link_api_endpoint.empty()) {
    append_unless_set(args, "siderolink.api=" + settings.link_api_endpoint);
  }
  if (!settings.link_server_address.empty()) {
    append_unless_set(args,
                      "talos.logging.kernel=tcp://[" + settings.link_server_address + "]:4001");
    append_unless_set(args, "talos.events.sink=[" + settings.link_server_address + "]:4002");
  }
  return args;
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

std::string server_class_name(const model::ServerBinding& binding) {
  auto ref = binding.server_class_ref();
  return ref ? ref->name : std::string();
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
  model::Server server(*server_obj);
  model::ServerBinding binding(*binding_obj);
  std::string class_name = server_class_name(binding);
  std::optional<model::ServerClass> server_class;
  if (!class_name.empty()) {
    if (auto c = caches.classes.get(class_name)) server_class.emplace(*c);
  }

  if (server.is_condition_true(model::kConditionPXEBooted) && !server.pxe_boot_always()) {
    std::string method, from;
    if (auto m = server.boot_from_disk_method(); m && !m->empty()) {
      method = *m;
      from = "Server";
    } else if (server_class) {
      if (auto cm = server_class->boot_from_disk_method(); cm && !cm->empty()) {
        method = *cm;
        from = "ServerClass " + class_name;
      }
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

  std::string env_name, from;
  if (auto ref = server.environment_ref(); ref && !ref->name.empty()) {
    env_name = ref->name;
    from = "Server.spec.environmentRef";
  } else if (server_class) {
    if (auto cref = server_class->environment_ref(); cref && !cref->name.empty()) {
      env_name = cref->name;
      from = "ServerClass " + class_name;
    }
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
  model::Environment env(*env_obj);
  if (auto why = assets.environment_unready(env); !why.empty()) {
    return {Outcome::kNotReady, 412, "environment \"" + env_name + "\" is not ready: " + why + "\n",
            env_name, reason + "; not ready: " + why};
  }
  return finish_script(Outcome::kEnvironment, env_name, reason,
                       render_environment_script(env_name, target_args(env, settings), reason));
}

}  // namespace ferrum::ipxe
