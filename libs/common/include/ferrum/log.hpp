#pragma once
// Structured logging: one Logger per subsystem, JSON lines (default) or text.
//
// Contract: a log line is one event with a stable message and key/value fields, e.g.
//   log.info("transfer finished", {{"server", uuid}, {"bytes", n}});
// JSON format: {"time":"<RFC3339 UTC, ms>","level":"info","logger":"tftp","msg":"...",<fields>}
// Text format: <time> INFO  tftp: msg key=value ...
// Lines are written whole (never interleaved) by spdlog's thread-safe sinks.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spdlog {
class logger;
}

namespace ferrum::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kJson, kText };

std::optional<Level> parse_level(std::string_view s);
std::optional<Format> parse_format(std::string_view s);
std::string_view level_name(Level l);

struct Field {
  std::string key;
  nlohmann::json value;
};
using Fields = std::vector<Field>;

// Where lines go, with the format and threshold. Shared by the loggers of one process.
class Output {
 public:
  // Lines go to stderr.
  Output(Format format, Level level);
  // Lines go to `sink` (tests capture output this way).
  Output(Format format, Level level, std::shared_ptr<spdlog::logger> sink);

  Format format() const { return format_; }
  Level level() const { return level_; }
  void write(Level level, std::string_view subsystem, std::string_view msg,
             const Fields& fields) const;
  std::string render(Level level, std::string_view subsystem, std::string_view msg,
                     const Fields& fields) const;

 private:
  Format format_;
  Level level_;
  std::shared_ptr<spdlog::logger> sink_;
};

class Logger {
 public:
  Logger(std::shared_ptr<const Output> out, std::string subsystem)
      : out_(std::move(out)), subsystem_(std::move(subsystem)) {}

  bool enabled(Level l) const { return l >= out_->level(); }
  void log(Level l, std::string_view msg, const Fields& fields = {}) const {
    if (enabled(l)) out_->write(l, subsystem_, msg, fields);
  }
  void debug(std::string_view msg, const Fields& fields = {}) const { log(Level::kDebug, msg, fields); }
  void info(std::string_view msg, const Fields& fields = {}) const { log(Level::kInfo, msg, fields); }
  void warn(std::string_view msg, const Fields& fields = {}) const { log(Level::kWarn, msg, fields); }
  void error(std::string_view msg, const Fields& fields = {}) const { log(Level::kError, msg, fields); }

  // A logger for a sub-subsystem sharing the same output ("tftp" -> "tftp.transfer").
  Logger child(std::string_view name) const { return Logger(out_, subsystem_ + "." + std::string(name)); }
  const std::string& subsystem() const { return subsystem_; }

 private:
  std::shared_ptr<const Output> out_;
  std::string subsystem_;
};

// A logger whose lines go nowhere (tests that exercise code which logs).
Logger discard(std::string subsystem);

// RFC 3339 UTC timestamp with milliseconds, e.g. 2026-11-20T23:40:01.123Z.
std::string now_rfc3339_ms();

}  // namespace ferrum::log
