#include "tftpd_app.hpp"

namespace ferrum::tftp {

TftpdApp::TftpdApp(const Settings& settings, DaemonRuntime& runtime)
    : log_(runtime.logger("tftp")), server_(settings, runtime.registry(), log_) {
  runtime.admin().add_readiness_check("tftp", [this] {
    return server_.serving() ? std::string() : std::string("TFTP server not serving");
  });
}

void TftpdApp::add_parts(RunnableGroup& parts) {
  parts.add(
      "tftp",
      [this]() -> std::string {
        auto bound = server_.start();  // logs "listening" per address
        if (!bound) return bound.error();
        addresses_ = *bound;
        return {};
      },
      [this](Runnable::Deadline deadline) {
        log_.info("stopping", {{"active_transfers", server_.active_transfers()}});
        server_.stop(time_left(deadline));
      });
}

}  // namespace ferrum::tftp
