#pragma once
// Kernel log records as Talos streams them to a KmsgLogConfig / talos.logging.kernel endpoint:
// one JSON object per line. Pure.
//
// Upstream:
//   siderolabs/talos internal/app/machined/pkg/controllers/runtime/kmsg_log.go   the fields
//       (facility, seq, clock, priority) and kmsgPriorityToLevel
//   siderolabs/talos internal/app/machined/pkg/runtime/logging/sender_jsonlines.go  msg,
//       talos-time (RFC 3339 with nanoseconds), talos-level; '\n' after each object over tcp
//   siderolabs/go-kmsg message.go  the /dev/kmsg record format and the Facility / Priority names

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferrum::talos_node {

struct KmsgRecord {
  int facility = 0;
  int priority = 0;
  std::uint64_t seq = 0;
  std::uint64_t clock_us = 0;  // microseconds since boot
  std::string message;
};

// One read() of /dev/kmsg: "PRI,SEQ,CLOCK,FLAGS[,...];MESSAGE\n[ continuation lines]".
std::optional<KmsgRecord> parse_kmsg_record(std::string_view raw);

// Talos' JSON line (ending in '\n'); `boot_unix_ns` turns the clock into talos-time.
std::string kmsg_json_line(const KmsgRecord& r, std::int64_t boot_unix_ns);

}  // namespace ferrum::talos_node
