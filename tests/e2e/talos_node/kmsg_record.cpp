#include "kmsg_record.hpp"

#include <array>
#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>

namespace ferrum::talos_node {
namespace {

// go-kmsg Facility.String() / Priority.String().
constexpr std::array<const char*, 24> kFacilities = {
    "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
    "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
    "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7"};
constexpr std::array<const char*, 8> kPriorities = {"emerg",   "alert",  "crit", "err",
                                                    "warning", "notice", "info", "debug"};

// kmsgPriorityToLevel, then zapcore.Level.String().
const char* level_of(int priority) {
  switch (priority) {
    case 4:
      return "warn";
    case 5:
    case 6:
      return "info";
    case 7:
      return "debug";
    default:
      return "error";
  }
}

template <typename T>
bool parse_num(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// RFC 3339 with nanoseconds, trailing zeros dropped, as Go's time.RFC3339Nano in UTC.
std::string rfc3339nano(std::int64_t unix_ns) {
  std::time_t secs = static_cast<std::time_t>(unix_ns / 1000000000);
  auto nanos = static_cast<long>(unix_ns % 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (nanos != 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09ld", nanos);
    std::string f = frac;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

}  // namespace

std::optional<KmsgRecord> parse_kmsg_record(std::string_view raw) {
  auto semi = raw.find(';');
  if (semi == std::string_view::npos) return std::nullopt;
  std::string_view head = raw.substr(0, semi);
  std::string_view body = raw.substr(semi + 1);
  // Continuation lines (" KEY=value") carry device metadata; Talos sends the first line only.
  body = body.substr(0, body.find('\n'));
  std::array<std::string_view, 3> f{};
  for (std::size_t i = 0; i < f.size(); ++i) {
    auto comma = head.find(',');
    f[i] = head.substr(0, comma);
    head = comma == std::string_view::npos ? std::string_view() : head.substr(comma + 1);
  }
  int pri = 0;
  KmsgRecord r;
  if (!parse_num(f[0], pri) || !parse_num(f[1], r.seq) || !parse_num(f[2], r.clock_us)) {
    return std::nullopt;
  }
  r.facility = pri >> 3;
  r.priority = pri & 7;
  r.message = std::string(body);
  return r;
}

std::string kmsg_json_line(const KmsgRecord& r, std::int64_t boot_unix_ns) {
  nlohmann::json j;
  j["msg"] = r.message;
  j["talos-time"] = rfc3339nano(boot_unix_ns + static_cast<std::int64_t>(r.clock_us) * 1000);
  j["talos-level"] = level_of(r.priority);
  j["facility"] = r.facility >= 0 && r.facility < static_cast<int>(kFacilities.size())
                      ? kFacilities[static_cast<std::size_t>(r.facility)]
                      : "unknown";
  j["seq"] = r.seq;
  // go-kmsg's Clock is the raw microsecond count.
  j["clock"] = r.clock_us;
  j["priority"] = kPriorities[static_cast<std::size_t>(r.priority & 7)];
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace ferrum::talos_node
