#pragma once
// Receives nodes' kernel logs: TCP on [server tunnel address]:--log-listen-port, each line a
// JSON object (Talos' kmsg sender). Lines are enriched by the source address (NodeDirectory)
// and written to a LineSink as JSON lines. A line longer than --max-log-line-bytes is
// dropped up to its newline; bad JSON is counted and skipped; the connection stays open
// either way. Connections are bounded in number and closed when idle.
//
// Metrics: linkd_log_lines_total{server}, linkd_log_bytes_total{server},
// linkd_log_bad_lines_total{reason}, linkd_log_connections.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "ferrum/expected.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"
#include "node_directory.hpp"

namespace ferrum::linkd {

// Where enriched lines go: stdout or an appended file; thread-safe; one write per batch.
class LineSink {
 public:
  static Expected<std::unique_ptr<LineSink>, std::string> open(const std::string& where);
  ~LineSink();
  // `lines`: whole lines, each ending in '\n'.
  void write(std::string_view lines);

 private:
  LineSink(std::FILE* f, bool owned) : f_(f), owned_(owned) {}
  std::mutex mu_;
  std::FILE* f_;
  bool owned_;
};

struct KmsgSettings {
  std::size_t max_line_bytes = 16 * 1024;
  std::size_t max_connections = 4096;
  std::chrono::milliseconds idle_timeout{30 * 60 * 1000};
};

class KmsgReceiver {
 public:
  KmsgReceiver(boost::asio::io_context& io, KmsgSettings settings, const NodeDirectory& nodes,
               LineSink& sink, metrics::Registry& registry, log::Logger log);
  ~KmsgReceiver();

  // Binds and starts accepting; returns the bound port.
  Expected<std::uint16_t, std::string> start(const boost::asio::ip::tcp::endpoint& at);
  void stop();

  class Session;

 private:
  void accept();

  boost::asio::io_context& io_;
  KmsgSettings settings_;
  const NodeDirectory& nodes_;
  LineSink& sink_;
  metrics::Family<metrics::Counter>& lines_;
  metrics::Family<metrics::Counter>& bytes_;
  metrics::Family<metrics::Counter>& bad_;
  log::Logger log_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<std::atomic<std::size_t>> open_;
};

}  // namespace ferrum::linkd
