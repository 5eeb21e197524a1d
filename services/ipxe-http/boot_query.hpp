#pragma once
// The query of an iPXE `/ipxe` request (uuid, mac, arch, domain, hostname, serial), parsed and
// validated. Pure: no sockets, no caches.
//
// Contract: parse_boot_query() takes the raw query string (after '?'), percent-decodes it,
// keeps the first value of a repeated key (Sidero's matchers do the same) and ignores keys it
// does not know. Empty values are allowed (iPXE sends `uuid=` when SMBIOS has none); a
// non-empty malformed uuid / mac / arch, a value with control characters or invalid UTF-8
// (after decoding) is an error whose text starts with the parameter name.

#include <string>
#include <string_view>

#include "ferrum/expected.hpp"

namespace ferrum::ipxe {

struct BootQuery {
  std::string uuid;  // lower case 8-4-4-4-12 hex, or empty
  std::string mac;   // lower case, colon separated ("52:54:00:12:34:56"), or empty
  std::string arch;  // "amd64" or "arm64" (iPXE's ${buildarch} mapped), default amd64
  std::string domain;
  std::string hostname;
  std::string serial;
};

struct QueryError {
  std::string parameter;
  std::string message;  // "<parameter>: <what is wrong>"
};

Expected<BootQuery, QueryError> parse_boot_query(std::string_view query);

// Validators, exposed for tests and for the /env routes.
bool valid_uuid(std::string_view s);
// Accepts "52-54-00-12-34-56" (iPXE hexhyp), "52:54:00:12:34:56" and "525400123456".
bool normalize_mac(std::string_view s, std::string& out);
// iPXE's ${buildarch} (x86_64, i386, arm64, arm32) or a Go arch name; nothing if unknown.
bool normalize_arch(std::string_view s, std::string& out);

}  // namespace ferrum::ipxe
