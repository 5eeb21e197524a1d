#include "inventory.hpp"

#include <net/if.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

namespace ferrum::agent {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p, std::size_t limit) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  std::string out(limit, '\0');
  in.read(out.data(), static_cast<std::streamsize>(limit));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

namespace {

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string read_trimmed(const fs::path& p) { return trim(read_file(p, 4096)); }

std::uint64_t to_u64(std::string_view s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::uint64_t read_u64(const fs::path& p) { return to_u64(read_trimmed(p)); }

bool is_virtual_name(const std::string& n) {
  for (std::string_view prefix : {"loop", "ram", "zram", "dm-", "md", "sr", "fd", "nbd"}) {
    if (n.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

CpuInfo parse_cpuinfo(const std::string& text) {
  CpuInfo info;
  std::map<std::uint64_t, CpuPackage> packages;
  std::istringstream in(text);
  std::string line;
  CpuPackage cur;
  std::uint64_t physical = 0;
  bool in_block = false;
  auto flush = [&] {
    if (!in_block) return;
    ++info.logical_cpus;
    auto it = packages.try_emplace(physical, cur).first;
    it->second.threads += 1;
    cur = {};
    physical = 0;
    in_block = false;
  };
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) {
      if (trim(line).empty()) flush();
      continue;
    }
    std::string key = trim(std::string_view(line).substr(0, colon));
    std::string value = trim(std::string_view(line).substr(colon + 1));
    if (key == "processor") {
      flush();
      in_block = true;
    } else if (key == "vendor_id") {
      cur.vendor = value;
    } else if (key == "model name") {
      cur.model_name = value;
    } else if (key == "cpu MHz") {
      cur.mhz = static_cast<std::uint32_t>(to_u64(value));
    } else if (key == "cpu cores") {
      cur.cores = static_cast<std::uint32_t>(to_u64(value));
    } else if (key == "physical id") {
      physical = to_u64(value);
    }
  }
  flush();
  for (auto& [id, pkg] : packages) {
    // Some kernels (and every VM without topology) omit "cpu cores": count the threads.
    if (pkg.cores == 0) pkg.cores = pkg.threads;
    info.packages.push_back(pkg);
  }
  return info;
}

std::uint32_t parse_meminfo_total_mb(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemTotal:", 0) == 0) {
      return static_cast<std::uint32_t>(to_u64(trim(line.substr(9))) / 1024);
    }
  }
  return 0;
}

std::vector<BlockDevice> list_block_devices(const fs::path& root) {
  std::vector<BlockDevice> out;
  std::error_code ec;
  fs::path sys_block = root / "sys/block";
  for (const auto& entry : fs::directory_iterator(sys_block, ec)) {
    BlockDevice d;
    d.name = entry.path().filename().string();
    fs::path dir = entry.path();
    d.dev_path = (root / "dev" / d.name).string();
    d.size = read_u64(dir / "size") * 512;  // always 512-byte units, whatever the LBA size
    d.read_only = read_trimmed(dir / "ro") == "1";
    d.removable = read_trimmed(dir / "removable") == "1";
    d.virtual_device = is_virtual_name(d.name);
    d.model = read_trimmed(dir / "device/model");
    d.serial = read_trimmed(dir / "device/serial");
    if (d.serial.empty()) d.serial = read_trimmed(dir / "serial");  // virtio-blk
    d.wwid = read_trimmed(dir / "wwid");
    if (d.wwid.empty()) d.wwid = read_trimmed(dir / "device/wwid");
    if (d.name.rfind("nvme", 0) == 0) {
      d.kind = DiskKind::kNvme;
    } else if (d.name.rfind("mmcblk", 0) == 0) {
      d.kind = DiskKind::kSd;
    } else {
      d.kind = read_trimmed(dir / "queue/rotational") == "0" ? DiskKind::kSsd : DiskKind::kHdd;
    }
    for (const auto& sub : fs::directory_iterator(dir, ec)) {
      if (!fs::exists(sub.path() / "partition")) continue;
      d.partitions.push_back({sub.path().filename().string(), read_u64(sub.path() / "start") * 512,
                              read_u64(sub.path() / "size") * 512});
    }
    std::sort(d.partitions.begin(), d.partitions.end(),
              [](const auto& a, const auto& b) { return a.start < b.start; });
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::string interface_flags(std::uint32_t iff) {
  std::string out;
  auto add = [&](std::uint32_t bit, const char* name) {
    if (!(iff & bit)) return;
    if (!out.empty()) out += '|';
    out += name;
  };
  add(IFF_UP, "up");
  add(IFF_BROADCAST, "broadcast");
  add(IFF_LOOPBACK, "loopback");
  add(IFF_POINTOPOINT, "pointtopoint");
  add(IFF_MULTICAST, "multicast");
  return out;
}

std::vector<NetInterface> list_net_interfaces(const fs::path& root) {
  std::vector<NetInterface> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root / "sys/class/net", ec)) {
    NetInterface n;
    n.name = entry.path().filename().string();
    n.index = static_cast<std::uint32_t>(read_u64(entry.path() / "ifindex"));
    n.mac = read_trimmed(entry.path() / "address");
    n.mtu = static_cast<std::uint32_t>(read_u64(entry.path() / "mtu"));
    std::string flags = read_trimmed(entry.path() / "flags");
    std::uint32_t bits = 0;
    if (flags.rfind("0x", 0) == 0) {
      std::from_chars(flags.data() + 2, flags.data() + flags.size(), bits, 16);
    }
    n.flags = interface_flags(bits);
    out.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  return out;
}

SmbiosSystem read_dmi_id(const fs::path& root) {
  fs::path d = root / "sys/class/dmi/id";
  SmbiosSystem s;
  s.uuid = read_trimmed(d / "product_uuid");
  std::transform(s.uuid.begin(), s.uuid.end(), s.uuid.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  s.manufacturer = read_trimmed(d / "sys_vendor");
  s.product_name = read_trimmed(d / "product_name");
  s.version = read_trimmed(d / "product_version");
  s.serial_number = read_trimmed(d / "product_serial");
  s.sku_number = read_trimmed(d / "product_sku");
  s.family = read_trimmed(d / "product_family");
  return s;
}

SmbiosInfo read_smbios(const fs::path& root) {
  fs::path d = root / "sys/firmware/dmi/tables";
  std::string ep = read_file(d / "smbios_entry_point", 64);
  std::string table = read_file(d / "DMI", 1 << 20);
  SmbiosInfo info;
  if (ep.empty() || table.empty()) {
    info.error = d.string() + ": not readable";
    return info;
  }
  auto as_span = [](const std::string& s) {
    return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  };
  auto version = parse_entry_point(as_span(ep));
  if (!version) {
    info.error = version.error();
    return info;
  }
  return parse_smbios(as_span(table), *version);
}

}  // namespace ferrum::agent
