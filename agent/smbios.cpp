#include "smbios.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "ferrum/percent_encoding.hpp"

namespace ferrum::agent {

namespace {

// DSP0134 strings are bytes (older firmware writes Latin-1 or garbage), but they become
// proto3 strings on their way to the Server resource, and those must be UTF-8: gRPC refuses
// to send the message otherwise. Each byte that is not part of a well-formed sequence
// becomes U+FFFD, as Go's strings.ToValidUTF8 does for a run of them.
std::string to_valid_utf8(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    auto c = static_cast<unsigned char>(in[i]);
    std::size_t n = c < 0x80                 ? 1
                    : c >= 0xc2 && c <= 0xdf ? 2
                    : c >= 0xe0 && c <= 0xef ? 3
                    : c >= 0xf0 && c <= 0xf4 ? 4
                                             : 0;
    if (n != 0 && i + n <= in.size() && is_valid_utf8(std::string_view(in).substr(i, n))) {
      out.append(in, i, n);
      i += n;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

// One structure: its formatted area and its string set.
struct Structure {
  std::span<const std::uint8_t> formatted;
  std::vector<std::string> strings;

  std::uint8_t byte(std::size_t off) const { return off < formatted.size() ? formatted[off] : 0; }
  std::uint16_t word(std::size_t off) const {
    if (off + 2 > formatted.size()) return 0;
    return static_cast<std::uint16_t>(formatted[off] | (formatted[off + 1] << 8));
  }
  std::uint32_t dword(std::size_t off) const {
    if (off + 4 > formatted.size()) return 0;
    return static_cast<std::uint32_t>(formatted[off]) | (std::uint32_t{formatted[off + 1]} << 8) |
           (std::uint32_t{formatted[off + 2]} << 16) | (std::uint32_t{formatted[off + 3]} << 24);
  }
  bool has(std::size_t off, std::size_t n = 1) const { return off + n <= formatted.size(); }
  // String fields hold a 1-based index into the string set; 0 means "no string".
  std::string str(std::size_t off) const {
    std::uint8_t idx = byte(off);
    if (idx == 0 || idx > strings.size()) return {};
    std::string s = to_valid_utf8(strings[idx - 1]);
    // Firmware pads with spaces; the Server resource should not.
    auto end = s.find_last_not_of(' ');
    return end == std::string::npos ? std::string() : s.substr(0, end + 1);
  }
};

std::string format_uuid(std::span<const std::uint8_t> b, bool little_endian_fields) {
  bool all_ff = std::all_of(b.begin(), b.end(), [](auto x) { return x == 0xFF; });
  bool all_00 = std::all_of(b.begin(), b.end(), [](auto x) { return x == 0x00; });
  if (all_ff || all_00) return {};
  std::array<std::uint8_t, 16> u{};
  std::copy(b.begin(), b.end(), u.begin());
  // SMBIOS 2.6+ stores time_low, time_mid and time_hi_and_version little-endian (RFC 4122
  // wire order is big-endian); Linux's product_uuid follows the same rule.
  if (little_endian_fields) {
    std::reverse(u.begin(), u.begin() + 4);
    std::reverse(u.begin() + 4, u.begin() + 6);
    std::reverse(u.begin() + 6, u.begin() + 8);
  }
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
                u[15]);
  return out;
}

SmbiosSystem parse_system(const Structure& s, SmbiosVersion v) {
  SmbiosSystem sys;
  sys.manufacturer = s.str(0x04);
  sys.product_name = s.str(0x05);
  sys.version = s.str(0x06);
  sys.serial_number = s.str(0x07);
  if (s.has(0x08, 16)) sys.uuid = format_uuid(s.formatted.subspan(0x08, 16), v.at_least(2, 6));
  sys.sku_number = s.str(0x19);
  sys.family = s.str(0x1A);
  return sys;
}

SmbiosProcessor parse_processor(const Structure& s) {
  SmbiosProcessor p;
  p.socket = s.str(0x04);
  p.manufacturer = s.str(0x07);
  p.version = s.str(0x10);
  p.max_speed_mhz = s.word(0x14);
  p.current_speed_mhz = s.word(0x16);
  p.populated = (s.byte(0x18) & 0x40) != 0;
  p.serial_number = s.str(0x20);
  p.part_number = s.str(0x22);
  // 0xFF in the byte fields means "look at the 3.0 word fields".
  p.core_count = s.byte(0x23);
  if (p.core_count == 0xFF && s.has(0x2A, 2)) p.core_count = s.word(0x2A);
  p.thread_count = s.byte(0x25);
  if (p.thread_count == 0xFF && s.has(0x2E, 2)) p.thread_count = s.word(0x2E);
  return p;
}

SmbiosMemoryDevice parse_memory(const Structure& s) {
  SmbiosMemoryDevice m;
  m.locator = s.str(0x10);
  m.type = memory_type_name(s.byte(0x12));
  std::uint16_t size = s.word(0x0C);
  if (size == 0x7FFF && s.has(0x1C, 4)) {
    m.size_mb = s.dword(0x1C) & 0x7FFFFFFF;  // extended size, MB
  } else if (size != 0xFFFF && size != 0) {
    m.size_mb = (size & 0x8000) ? (size & 0x7FFF) / 1024 : size;  // bit 15: KB units
  }
  std::uint16_t speed = s.word(0x15);
  m.speed_mts = speed == 0xFFFF && s.has(0x54, 4) ? s.dword(0x54) : speed;
  m.manufacturer = s.str(0x17);
  m.serial_number = s.str(0x18);
  m.part_number = s.str(0x1A);
  return m;
}

}  // namespace

Expected<SmbiosVersion, std::string> parse_entry_point(std::span<const std::uint8_t> ep) {
  auto starts = [&](std::string_view anchor) {
    return ep.size() >= anchor.size() && std::equal(anchor.begin(), anchor.end(), ep.begin());
  };
  if (starts("_SM3_")) {
    if (ep.size() < 0x18) return unexpected(std::string("_SM3_ entry point: truncated"));
    return SmbiosVersion{ep[7], ep[8]};
  }
  if (starts("_SM_")) {
    if (ep.size() < 0x1F) return unexpected(std::string("_SM_ entry point: truncated"));
    return SmbiosVersion{ep[6], ep[7]};
  }
  return unexpected(std::string("entry point: neither _SM_ nor _SM3_ anchor"));
}

SmbiosInfo parse_smbios(std::span<const std::uint8_t> table, SmbiosVersion version) {
  SmbiosInfo info;
  std::size_t off = 0;
  while (off + 4 <= table.size()) {
    std::uint8_t type = table[off];
    std::uint8_t len = table[off + 1];
    if (len < 4 || off + len > table.size()) {
      info.error = "structure at offset " + std::to_string(off) + ": length " +
                   std::to_string(len) + " runs outside the table";
      return info;
    }
    Structure s{table.subspan(off, len), {}};
    // The string set follows the formatted area and ends with two NULs.
    std::size_t p = off + len;
    std::string cur;
    bool terminated = false;
    if (p + 1 < table.size() && table[p] == 0 && table[p + 1] == 0) {
      p += 2;
      terminated = true;
    } else {
      while (p < table.size()) {
        if (table[p] == 0) {
          s.strings.push_back(cur);
          cur.clear();
          ++p;
          if (p < table.size() && table[p] == 0) {
            ++p;
            terminated = true;
            break;
          }
        } else {
          cur.push_back(static_cast<char>(table[p++]));
        }
      }
    }
    if (!terminated) {
      info.error = "structure at offset " + std::to_string(off) + ": unterminated string set";
      return info;
    }
    switch (type) {
      case 1:
        if (!info.system) info.system = parse_system(s, version);
        break;
      case 4:
        info.processors.push_back(parse_processor(s));
        break;
      case 17:
        info.memory.push_back(parse_memory(s));
        break;
      default:
        break;
    }
    off = p;
    if (type == 127) break;  // end-of-table
  }
  return info;
}

std::string memory_type_name(std::uint8_t type) {
  static constexpr std::array<const char*, 0x24> kNames = {"",
                                                           "Other",
                                                           "Unknown",
                                                           "DRAM",
                                                           "EDRAM",
                                                           "VRAM",
                                                           "SRAM",
                                                           "RAM",
                                                           "ROM",
                                                           "FLASH",
                                                           "EEPROM",
                                                           "FEPROM",
                                                           "EPROM",
                                                           "CDRAM",
                                                           "3DRAM",
                                                           "SDRAM",
                                                           "SGRAM",
                                                           "RDRAM",
                                                           "DDR",
                                                           "DDR2",
                                                           "DDR2 FB-DIMM",
                                                           "",
                                                           "",
                                                           "",
                                                           "DDR3",
                                                           "FBD2",
                                                           "DDR4",
                                                           "LPDDR",
                                                           "LPDDR2",
                                                           "LPDDR3",
                                                           "LPDDR4",
                                                           "Logical non-volatile device",
                                                           "HBM",
                                                           "HBM2",
                                                           "DDR5",
                                                           "LPDDR5"};
  if (type < kNames.size() && kNames[type][0] != '\0') return kNames[type];
  return "Unknown";
}

}  // namespace ferrum::agent
