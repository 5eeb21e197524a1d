#pragma once
// ferrum-reconciler's settings: every flag with its default, declared once.

#include <chrono>
#include <cstdint>
#include <string>

#include "ferrum/flags.hpp"

namespace ferrum::reconciler {

struct Settings {
  std::string kubeconfig;
  std::string bmcd_endpoint;
  std::string ipmi_pxe_method;
  std::chrono::milliseconds server_reboot_timeout{std::chrono::minutes(20)};
  std::chrono::milliseconds power_check_period{std::chrono::minutes(5)};
  std::chrono::milliseconds power_timeout{std::chrono::seconds(60)};
  std::int64_t workers = 4;
  bool leader_elect = true;
  std::string leader_election_namespace;
  std::string leader_election_id;
  std::chrono::milliseconds lease_duration{std::chrono::seconds(15)};
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(10)};
  std::chrono::milliseconds retry_period{std::chrono::seconds(2)};
  std::string default_environment_kernel_url;
  std::string default_environment_initrd_url;
  std::string default_environment_args;
  std::chrono::milliseconds provider_set_retry{std::chrono::seconds(30)};
  std::chrono::milliseconds resync_period{std::chrono::minutes(10)};
  std::chrono::milliseconds kube_timeout{std::chrono::seconds(10)};
  std::int64_t kube_qps = 1000;
  std::int64_t kube_burst = 2000;
};

void add_flags(flags::FlagSet& flags, Settings& s);

// The default of --default-environment-args: Sidero's `default` Environment args
// (talos::sidero_default_environment_args, space separated).
std::string default_environment_args_text();

// Checks what the flag table cannot; the message names the flag.
std::string validate(const Settings& s);

}  // namespace ferrum::reconciler
