// ferrum-tftpd: wiring only (see tftpd_app.hpp).
#include "tftpd_app.hpp"

int main(int argc, char** argv) {
  ferrum::tftp::Settings settings;
  return ferrum::daemon_main(
      argc, argv,
      {"ferrum-tftpd", "tftpd",
       "Read-only TFTP server for PXE firmware (RFC 1350, 2347, 2348, 2349, 7440).", "0.0.0.0:9401",
       [&](auto& flags) { ferrum::tftp::add_flags(flags, settings); },
       [&] { return ferrum::tftp::validate(settings); },
       [&](ferrum::Daemon& d) {
         return std::make_unique<ferrum::tftp::TftpdApp>(settings, d.runtime());
       }});
}
