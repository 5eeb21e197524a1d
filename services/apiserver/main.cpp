// ferrum-apiserver: the embedded Kubernetes-compatible API server (wiring only).
#include "apiserver_app.hpp"

int main(int argc, char** argv) {
  ferrum::apiserver::AppSettings s;
  return ferrum::daemon_main(argc, argv,
                             {"ferrum-apiserver",
                              "apiserver",
                              ferrum::apiserver::kAbout,
                              "127.0.0.1:9400",
                              [&](auto& flags) { ferrum::apiserver::add_flags(flags, s); },
                              {},
                              [&](ferrum::Daemon& d) {
                                return std::make_unique<ferrum::apiserver::App>(s, d.runtime());
                              }});
}
