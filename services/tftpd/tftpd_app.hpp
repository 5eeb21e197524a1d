#pragma once
// ferrum-tftpd assembled: one part, the TFTP server (its sockets and loop threads), with the
// "tftp" readiness check. No API server: tftpd serves files from --root only.

#include "ferrum/daemon.hpp"
#include "server.hpp"
#include "settings.hpp"

namespace ferrum::tftp {

class TftpdApp final : public DaemonApp {
 public:
  TftpdApp(const Settings& settings, DaemonRuntime& runtime);
  void add_parts(RunnableGroup& parts) override;

  // The bound addresses (after start), as logged on "listening".
  const std::vector<std::string>& addresses() const { return addresses_; }
  Server& server() { return server_; }

 private:
  log::Logger log_;
  Server server_;
  std::vector<std::string> addresses_;
};

}  // namespace ferrum::tftp
