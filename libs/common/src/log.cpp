#include "ferrum/log.hpp"
#include <spdlog/sinks/null_sink.h>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

namespace ferrum::log {

std::optional<Level> parse_level(std::string_view s) {
  if (s == "debug") return Level::kDebug;
  if (s == "info") return Level::kInfo;
  if (s == "warn" || s == "warning") return Level::kWarn;
  if (s == "error") return Level::kError;
  return std::nullopt;
}

std::optional<Format> parse_format(std::string_view s) {
  if (s == "json") return Format::kJson;
  if (s == "text") return Format::kText;
  return std::nullopt;
}

std::string_view level_name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

Logger discard(std::string subsystem) {
  auto sink = std::make_shared<spdlog::logger>("discard",
                                               std::make_shared<spdlog::sinks::null_sink_mt>());
  return Logger(std::make_shared<const Output>(Format::kJson, Level::kError, std::move(sink)),
                std::move(subsystem));
}

std::string now_rfc3339_ms() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

static std::shared_ptr<spdlog::logger> stderr_sink() {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("ferrum", sink);
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);
  return logger;
}

Output::Output(Format format, Level level) : Output(format, level, stderr_sink()) {}

Output::Output(Format format, Level level, std::shared_ptr<spdlog::logger> sink)
    : format_(format), level_(level), sink_(std::move(sink)) {}

std::string Output::render(Level level, std::string_view subsystem, std::string_view msg,
                           const Fields& fields) const {
  if (format_ == Format::kJson) {
    nlohmann::ordered_json line;
    line["time"] = now_rfc3339_ms();
    line["level"] = level_name(level);
    line["logger"] = subsystem;
    line["msg"] = msg;
    for (const auto& f : fields) {
      // Fields never overwrite the envelope; a clash keeps both.
      std::string key = line.contains(f.key) ? "field." + f.key : f.key;
      line[key] = f.value;
    }
    // Replace invalid UTF-8 rather than throwing: log content may come from the network.
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out = now_rfc3339_ms();
  std::string lvl(level_name(level));
  for (auto& c : lvl) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  lvl.resize(5, ' ');
  out += " " + lvl + " " + std::string(subsystem) + ": " + std::string(msg);
  for (const auto& f : fields) {
    out += " " + f.key + "=";
    if (f.value.is_string()) {
      const auto& s = f.value.get_ref<const std::string&>();
      bool plain = !s.empty() && s.find_first_of(" \"=\t\n") == std::string::npos;
      out += plain ? s : nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } else {
      out += f.value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  return out;
}

void Output::write(Level level, std::string_view subsystem, std::string_view msg,
                   const Fields& fields) const {
  if (level < level_) return;
  auto line = render(level, subsystem, msg, fields);
  sink_->log(spdlog::level::info, "{}", line);
}

}  // namespace ferrum::log
