#include "hardware.hpp"

namespace ferrum::agent {

Inventory read_inventory(const std::filesystem::path& root) {
  Inventory inv;
  inv.smbios = read_smbios(root);
  inv.dmi_id = read_dmi_id(root);
  inv.cpu = parse_cpuinfo(read_file(root / "proc/cpuinfo"));
  inv.meminfo_total_mb = parse_meminfo_total_mb(read_file(root / "proc/meminfo"));
  inv.disks = list_block_devices(root);
  inv.interfaces = list_net_interfaces(root);
  return inv;
}

bool is_machine_disk(const BlockDevice& d) { return !d.virtual_device && d.size > 0; }

api::StorageType storage_type(DiskKind k) {
  switch (k) {
    case DiskKind::kHdd:
      return api::HDD;
    case DiskKind::kSsd:
      return api::SSD;
    case DiskKind::kNvme:
      return api::NVMe;
    case DiskKind::kSd:
      return api::SD;
  }
  return api::Unknown;
}

namespace {

void map_system(const Inventory& inv, api::SystemInformation& out) {
  SmbiosSystem s = inv.smbios.system.value_or(SmbiosSystem{});
  const SmbiosSystem& fb = inv.dmi_id;
  auto pick = [](const std::string& a, const std::string& b) { return a.empty() ? b : a; };
  out.set_uuid(pick(s.uuid, fb.uuid));
  out.set_manufacturer(pick(s.manufacturer, fb.manufacturer));
  out.set_product_name(pick(s.product_name, fb.product_name));
  out.set_version(pick(s.version, fb.version));
  out.set_serial_number(pick(s.serial_number, fb.serial_number));
  out.set_sku_number(pick(s.sku_number, fb.sku_number));
  out.set_family(pick(s.family, fb.family));
}

void map_compute(const Inventory& inv, api::ComputeInformation& out) {
  std::uint32_t cores = 0, threads = 0;
  std::size_t pkg = 0;
  for (const auto& p : inv.smbios.processors) {
    if (!p.populated) continue;
    const CpuPackage* live = pkg < inv.cpu.packages.size() ? &inv.cpu.packages[pkg] : nullptr;
    ++pkg;
    auto* proc = out.add_processors();
    proc->set_manufacturer(p.manufacturer.empty() && live ? live->vendor : p.manufacturer);
    proc->set_product_name(live && !live->model_name.empty() ? live->model_name : p.version);
    proc->set_serial_number(p.serial_number);
    std::uint32_t speed = p.current_speed_mhz ? p.current_speed_mhz : p.max_speed_mhz;
    proc->set_speed(speed ? speed : (live ? live->mhz : 0));
    proc->set_core_count(p.core_count ? p.core_count : (live ? live->cores : 0));
    proc->set_thread_count(p.thread_count ? p.thread_count : (live ? live->threads : 0));
    cores += proc->core_count();
    threads += proc->thread_count();
  }
  if (out.processors_size() == 0) {
    for (const auto& live : inv.cpu.packages) {
      auto* proc = out.add_processors();
      proc->set_manufacturer(live.vendor);
      proc->set_product_name(live.model_name);
      proc->set_speed(live.mhz);
      proc->set_core_count(live.cores);
      proc->set_thread_count(live.threads);
      cores += live.cores;
      threads += live.threads;
    }
  }
  out.set_processor_count(static_cast<std::uint32_t>(out.processors_size()));
  out.set_total_core_count(cores);
  out.set_total_thread_count(threads);
}

void map_memory(const Inventory& inv, api::MemoryInformation& out) {
  std::uint32_t total = 0;
  for (const auto& m : inv.smbios.memory) {
    if (m.size_mb == 0) continue;  // empty slot
    auto* mod = out.add_modules();
    mod->set_manufacturer(m.manufacturer);
    mod->set_product_name(m.part_number);
    mod->set_serial_number(m.serial_number);
    mod->set_type(m.type);
    mod->set_size(m.size_mb);
    mod->set_speed(m.speed_mts);
    total += m.size_mb;
  }
  out.set_module_count(static_cast<std::uint32_t>(out.modules_size()));
  out.set_total_size(total ? total : inv.meminfo_total_mb);
}

}  // namespace

api::HardwareInformation map_hardware(const Inventory& inv) {
  api::HardwareInformation hw;
  map_system(inv, *hw.mutable_system());
  map_compute(inv, *hw.mutable_compute());
  map_memory(inv, *hw.mutable_memory());
  std::uint64_t total = 0;
  auto* storage = hw.mutable_storage();
  for (const auto& d : inv.disks) {
    if (!is_machine_disk(d)) continue;
    auto* dev = storage->add_devices();
    dev->set_type(storage_type(d.kind));
    dev->set_size(d.size);
    dev->set_model(d.model);
    dev->set_serial(d.serial);
    dev->set_name(d.name);
    dev->set_device_name("/dev/" + d.name);
    dev->set_wwid(d.wwid);
    total += d.size;
  }
  storage->set_device_count(static_cast<std::uint32_t>(storage->devices_size()));
  storage->set_total_size(total);
  auto* net = hw.mutable_network();
  for (const auto& n : inv.interfaces) {
    if (n.name == "lo") continue;
    auto* i = net->add_interfaces();
    i->set_index(n.index);
    i->set_name(n.name);
    i->set_flags(n.flags);
    i->set_mtu(n.mtu);
    i->set_mac(n.mac);
    for (const auto& a : n.addresses) i->add_addresses(a);
  }
  net->set_interface_count(static_cast<std::uint32_t>(net->interfaces_size()));
  return hw;
}

}  // namespace ferrum::agent
