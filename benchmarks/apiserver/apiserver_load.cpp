// apiserver_load: the load generator of benchmarks/apiserver/run.sh (not part of the tests).
//
// Every request goes through Ferrum's own client library (kube::RestClient over libcurl,
// kube::Informer), so the numbers include the client's cost as the daemons pay it.
//
// Subcommands (each prints one JSON object on stdout):
//   sample                      one generated Server and its size
//   create   --clients C --count N [--first F]
//            C threads, each with its own RestClient, create Servers F..F+N-1 (durable: the
//            server answers 201 only after its group commit); creates/s, p50/p99 latency.
//   list     --runs R [--limit L]
//            R lists of all Servers, whole (L = 0) or paged by L following `continue`.
//   watch    --watchers W --count N --rate Q --seconds S
//            W watchers (own RestClient each) watch Servers from the current resourceVersion;
//            one writer merge-patches Servers 0..N-1 round-robin at Q/s for S seconds; for every
//            (write, watcher) pair: receive time - send time, and receive time - ack time.
//   informer --count N
//            RSS of this process before and after an Informer over all Servers has synced.

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "ferrum/clock.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/config.hpp"
#include "ferrum/kube/informer.hpp"
#include "ferrum/log.hpp"

namespace {

using ferrum::kube::Json;
using SteadyClock = std::chrono::steady_clock;

ferrum::kube::ResourceId servers() { return {"metal.sidero.dev", "v1alpha2", "servers", false}; }

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
      .count();
}

[[noreturn]] void die(const std::string& msg) {
  std::cerr << "apiserver_load: " << msg << "\n";
  std::exit(1);
}

std::string server_name(long i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%08lx-5e2f-4c1a-9d3b-%012lx", 0x0be0c000L + i, 0x1000L + i);
  return buf;
}

std::string hex2(long v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02lx", v & 0xff);
  return buf;
}

std::string mac(long i, int nic) {
  return "52:54:" + hex2(i >> 16) + ":" + hex2(i >> 8) + ":" + hex2(i) + ":" + hex2(nic);
}

// A Server as the agent reports it for a typical 2-socket machine (~2.5 KB of JSON).
Json make_server(long i) {
  std::string name = server_name(i);
  std::string ip = "10." + std::to_string((i >> 16) & 0xff) + "." +
                   std::to_string((i >> 8) & 0xff) + "." + std::to_string(i & 0xff);
  Json processors = Json::array();
  for (int s = 0; s < 2; ++s) {
    processors.push_back({{"manufacturer", "Intel(R) Corporation"},
                          {"productName", "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz"},
                          {"serialNumber", "CPU" + std::to_string(i) + "-" + std::to_string(s)},
                          {"speed", 2000},
                          {"coreCount", 32},
                          {"threadCount", 64}});
  }
  Json modules = Json::array();
  for (int m = 0; m < 4; ++m) {
    modules.push_back({{"manufacturer", "Samsung"},
                       {"productName", "M393A4K40DB3-CWE"},
                       {"serialNumber", "DIMM" + std::to_string(i) + "-" + std::to_string(m)},
                       {"size", 32768},
                       {"speed", 3200},
                       {"type", "DDR4"}});
  }
  Json devices = Json::array();
  for (int d = 0; d < 2; ++d) {
    devices.push_back(
        {{"deviceName", "/dev/nvme" + std::to_string(d) + "n1"},
         {"name", "nvme" + std::to_string(d) + "n1"},
         {"productName", "SAMSUNG MZQL21T9HCJR-00A07"},
         {"serialNumber", "S64GNE0R" + std::to_string(100000 + i) + std::to_string(d)},
         {"size", 1920383410176LL},
         {"type", "NVMe"},
         {"uuid", server_name(i + 1000000L * (d + 1))},
         {"wwid", "eui.36344730528" + std::to_string(100000 + i) + std::to_string(d)}});
  }
  Json interfaces = Json::array();
  for (int n = 0; n < 2; ++n) {
    interfaces.push_back({{"index", n + 2},
                          {"name", "enp" + std::to_string(n + 1) + "s0f0"},
                          {"flags", "up|broadcast|multicast"},
                          {"mac", mac(i, n)},
                          {"mtu", 1500},
                          {"addresses", n == 0 ? Json::array({ip + "/16"}) : Json::array()}});
  }
  return {{"apiVersion", "metal.sidero.dev/v1alpha2"},
          {"kind", "Server"},
          {"metadata",
           {{"name", name},
            {"labels",
             {{"rack", "r" + std::to_string(i % 40)}, {"zone", "z" + std::to_string(i % 3)}}}}},
          {"spec",
           {{"accepted", i % 2 == 0},
            {"hostname", "node-" + std::to_string(i)},
            {"pxeMode", "uefi"},
            {"bmc",
             {{"endpoint",
               "10.200." + std::to_string((i >> 8) & 0xff) + "." + std::to_string(i & 0xff)},
              {"port", 623},
              {"userFrom",
               {{"secretKeyRef",
                 {{"name", "bmc-" + name}, {"namespace", "default"}, {"key", "user"}}}}},
              {"passFrom",
               {{"secretKeyRef",
                 {{"name", "bmc-" + name}, {"namespace", "default"}, {"key", "pass"}}}}}}},
            {"hardware",
             {{"system",
               {{"manufacturer", "Supermicro"},
                {"productName", "SYS-1029U-TRT"},
                {"family", "SMC X11"},
                {"serialNumber", "S" + std::to_string(9000000 + i)},
                {"skuNumber", "To be filled by O.E.M."},
                {"uuid", name},
                {"version", "0123456789"}}},
              {"compute",
               {{"processorCount", 2},
                {"totalCoreCount", 64},
                {"totalThreadCount", 128},
                {"processors", processors}}},
              {"memory", {{"moduleCount", 4}, {"totalSize", "128 GB"}, {"modules", modules}}},
              {"storage", {{"deviceCount", 2}, {"totalSize", "3.8 TB"}, {"devices", devices}}},
              {"network", {{"interfaceCount", 2}, {"interfaces", interfaces}}}}}}}};
}

struct Args {
  std::string cmd;
  std::map<std::string, std::string> kv;
  std::string get(const std::string& k, const std::string& def) const {
    auto it = kv.find(k);
    return it == kv.end() ? def : it->second;
  }
  long num(const std::string& k, long def) const {
    auto it = kv.find(k);
    if (it == kv.end()) return def;
    try {
      return std::stol(it->second);
    } catch (...) {
      die("--" + k + ": not a number: " + it->second);
    }
  }
};

Args parse_args(int argc, char** argv) {
  if (argc < 2) die("usage: apiserver_load sample|create|list|watch|informer [--flag value]...");
  Args a;
  a.cmd = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0 || i + 1 >= argc)
      die("bad argument " + k + " (flags are --name value)");
    a.kv[k.substr(2)] = argv[++i];
  }
  return a;
}

ferrum::kube::RestConfig load_config(const Args& a) {
  std::string path = a.get("kubeconfig", "");
  if (path.empty()) die("--kubeconfig is required");
  auto cfg = ferrum::kube::load_kubeconfig(path);
  if (!cfg) die(cfg.error());
  return *cfg;
}

// Nearest-rank percentile of a sorted vector.
double pct(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t rank =
      static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

Json summary_ms(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  return {{"n", v.size()},
          {"p50_ms", pct(v, 50)},
          {"p90_ms", pct(v, 90)},
          {"p99_ms", pct(v, 99)},
          {"max_ms", v.empty() ? 0.0 : v.back()},
          {"mean_ms", v.empty() ? 0.0 : sum / static_cast<double>(v.size())}};
}

long rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

void warm_up(ferrum::kube::RestClient& c) {
  ferrum::kube::ListOptions o;
  o.limit = 1;
  auto r = c.list(servers(), "", o);
  if (!r) die("warm-up list: " + r.error().describe());
}

int cmd_sample() {
  Json s = make_server(42);
  std::cout << Json{{"bytes", s.dump().size()}, {"server", s}}.dump(2) << "\n";
  return 0;
}

int cmd_create(const Args& a) {
  auto cfg = load_config(a);
  long clients = a.num("clients", 16), count = a.num("count", 10000), first = a.num("first", 0);
  if (clients < 1 || count < 1) die("--clients and --count must be >= 1");
  std::vector<std::unique_ptr<ferrum::kube::RestClient>> cs;
  for (long c = 0; c < clients; ++c) {
    cs.push_back(std::make_unique<ferrum::kube::RestClient>(cfg));
    warm_up(*cs.back());  // TLS handshakes are not part of the measurement
  }
  // Bodies are built before the clock starts: the generator's JSON building is not the server's.
  std::vector<Json> objs;
  objs.reserve(static_cast<std::size_t>(count));
  for (long i = 0; i < count; ++i) objs.push_back(make_server(first + i));
  std::atomic<long> next{0}, errors{0};
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(clients));
  std::mutex err_mu;
  std::string first_error;
  auto t0 = now_ns();
  {
    std::vector<std::jthread> ts;
    for (long c = 0; c < clients; ++c) {
      ts.emplace_back([&, c] {
        for (;;) {
          long i = next.fetch_add(1);
          if (i >= count) return;
          auto s = now_ns();
          auto r =
              cs[static_cast<std::size_t>(c)]->create(servers(), objs[static_cast<std::size_t>(i)]);
          auto e = now_ns();
          if (!r) {
            errors.fetch_add(1);
            std::lock_guard l(err_mu);
            if (first_error.empty()) first_error = r.error().describe();
            continue;
          }
          lat[static_cast<std::size_t>(c)].push_back(static_cast<double>(e - s) / 1e6);
        }
      });
    }
  }
  double secs = static_cast<double>(now_ns() - t0) / 1e9;
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  Json out{{"test", "create"},
           {"clients", clients},
           {"count", count},
           {"ok", all.size()},
           {"errors", errors.load()},
           {"first_error", first_error},
           {"seconds", secs},
           {"per_sec", static_cast<double>(all.size()) / secs},
           {"bytes_per_object", objs.front().dump().size()},
           {"latency", summary_ms(all)}};
  std::cout << out.dump() << "\n";
  return errors.load() == 0 ? 0 : 1;
}

int cmd_list(const Args& a) {
  auto cfg = load_config(a);
  long runs = a.num("runs", 10), limit = a.num("limit", 0), expect = a.num("expect", -1);
  ferrum::kube::RestClient c(cfg);
  warm_up(c);
  std::vector<double> lat;
  std::size_t items = 0;
  for (long r = 0; r < runs; ++r) {
    auto s = now_ns();
    if (limit == 0) {
      auto l = c.list(servers(), "");
      if (!l) die("list: " + l.error().describe());
      items = (*l)["items"].size();
    } else {
      auto l = ferrum::kube::list_all(c, servers(), "", {}, limit);
      if (!l) die("list_all: " + l.error().describe());
      items = l->items.size();
    }
    lat.push_back(static_cast<double>(now_ns() - s) / 1e6);
    if (expect >= 0 && static_cast<long>(items) != expect) {
      die("list returned " + std::to_string(items) + " items, expected " + std::to_string(expect));
    }
  }
  std::cout << Json{{"test", "list"},
                    {"limit", limit},
                    {"runs", runs},
                    {"items", items},
                    {"latency", summary_ms(lat)}}
                   .dump()
            << "\n";
  return 0;
}

struct WriteRecord {
  std::int64_t sent_ns = 0;
  std::int64_t acked_ns = 0;
};

int cmd_watch(const Args& a) {
  auto cfg = load_config(a);
  long watchers = a.num("watchers", 10), count = a.num("count", 10000), rate = a.num("rate", 100),
       seconds = a.num("seconds", 10);
  if (watchers < 1 || count < 1 || rate < 1 || seconds < 1)
    die("--watchers --count --rate --seconds must be >= 1");
  ferrum::kube::RestClient writer(cfg);
  warm_up(writer);
  ferrum::kube::ListOptions lo;
  lo.limit = 1;
  auto head = writer.list(servers(), "", lo);
  if (!head) die("list: " + head.error().describe());
  std::string from = (*head)["metadata"]["resourceVersion"].get<std::string>();

  struct WatcherState {
    std::unique_ptr<ferrum::kube::RestClient> client;
    std::mutex mu;
    std::vector<std::pair<std::uint64_t, std::int64_t>> got;  // (rv, received)
    std::atomic<std::uint64_t> last_rv{0};
    std::string error;
  };
  std::vector<std::unique_ptr<WatcherState>> ws;
  std::vector<std::jthread> threads;
  for (long w = 0; w < watchers; ++w) {
    ws.push_back(std::make_unique<WatcherState>());
    ws.back()->client = std::make_unique<ferrum::kube::RestClient>(cfg);
    warm_up(*ws.back()->client);
  }
  for (long w = 0; w < watchers; ++w) {
    threads.emplace_back([&, w](std::stop_token stop) {
      WatcherState& st = *ws[static_cast<std::size_t>(w)];
      ferrum::kube::WatchOptions o;
      o.resource_version = from;
      o.allow_bookmarks = false;
      o.timeout = std::chrono::seconds(600);
      auto r = st.client->watch(
          servers(), "", o,
          [&](ferrum::kube::WatchEvent&& ev) {
            auto t = now_ns();
            if (ev.type != ferrum::kube::EventType::kModified) return true;
            std::uint64_t rv = std::stoull(ferrum::kube::resource_version_of(ev.object));
            {
              std::lock_guard l(st.mu);
              st.got.emplace_back(rv, t);
            }
            st.last_rv.store(rv);
            return true;
          },
          stop);
      if (!r && !ferrum::kube::is_cancelled(r.error())) {
        std::lock_guard l(st.mu);
        st.error = r.error().describe();
      }
    });
  }

  auto patch_one = [&](long seq) -> std::pair<std::uint64_t, WriteRecord> {
    Json p{{"metadata", {{"labels", {{"bench-seq", std::to_string(seq)}}}}}};
    WriteRecord rec;
    rec.sent_ns = now_ns();
    auto r = writer.patch(servers(), "", server_name(seq < 0 ? 0 : seq % count),
                          ferrum::kube::PatchType::kMerge, p);
    rec.acked_ns = now_ns();
    if (!r) die("patch: " + r.error().describe());
    return {std::stoull(ferrum::kube::resource_version_of(*r)), rec};
  };
  auto wait_all = [&](std::uint64_t rv, std::chrono::seconds limit) {
    auto deadline = SteadyClock::now() + limit;
    for (auto& st : ws) {
      while (st->last_rv.load() < rv) {
        if (SteadyClock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    return true;
  };
  // A sentinel write every watcher must see before the measurement: all watches are open.
  auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  std::uint64_t sentinel = 0;
  for (;;) {
    sentinel = patch_one(-1).first;
    if (wait_all(sentinel, std::chrono::seconds(1))) break;
    if (SteadyClock::now() > deadline) die("watchers did not all start within 10 s");
  }

  std::map<std::uint64_t, WriteRecord> writes;
  long total = rate * seconds;
  auto period = std::chrono::nanoseconds(1'000'000'000L / rate);
  auto start = SteadyClock::now();
  std::uint64_t last = sentinel;
  for (long i = 0; i < total; ++i) {
    std::this_thread::sleep_until(start + i * period);
    auto [rv, rec] = patch_one(i);
    writes[rv] = rec;
    last = std::max(last, rv);
  }
  double write_secs = std::chrono::duration<double>(SteadyClock::now() - start).count();
  bool complete = wait_all(last, std::chrono::seconds(10));
  for (auto& t : threads) t.request_stop();
  threads.clear();

  std::vector<double> from_send, from_ack, acks;
  for (auto& [rv, rec] : writes)
    acks.push_back(static_cast<double>(rec.acked_ns - rec.sent_ns) / 1e6);
  long missed = 0, before_ack = 0;
  std::string error;
  for (auto& st : ws) {
    std::lock_guard l(st->mu);
    if (error.empty()) error = st->error;
    std::size_t seen = 0;
    for (auto& [rv, t] : st->got) {
      auto it = writes.find(rv);
      if (it == writes.end()) continue;
      ++seen;
      from_send.push_back(static_cast<double>(t - it->second.sent_ns) / 1e6);
      double d = static_cast<double>(t - it->second.acked_ns) / 1e6;
      if (d < 0) ++before_ack;
      from_ack.push_back(d);
    }
    missed += static_cast<long>(writes.size()) - static_cast<long>(seen);
  }
  Json out{{"test", "watch"},
           {"watchers", watchers},
           {"writes", writes.size()},
           {"rate", rate},
           {"achieved_rate", static_cast<double>(writes.size()) / write_secs},
           {"complete", complete},
           {"missed", missed},
           {"error", error},
           {"events_before_ack", before_ack},
           {"write_ack", summary_ms(acks)},
           {"delivery_from_send", summary_ms(from_send)},
           {"delivery_from_ack", summary_ms(from_ack)}};
  std::cout << out.dump() << "\n";
  return complete && missed == 0 ? 0 : 1;
}

int cmd_informer(const Args& a) {
  auto cfg = load_config(a);
  long expect = a.num("count", -1);
  ferrum::kube::RestClient c(cfg);
  warm_up(c);
  auto out =
      std::make_shared<ferrum::log::Output>(ferrum::log::Format::kJson, ferrum::log::Level::kWarn);
  ferrum::kube::InformerSettings s;
  s.resource = servers();
  ferrum::kube::Informer inf(s, c, ferrum::real_clock(), ferrum::log::Logger(out, "bench"));
  malloc_trim(0);
  long before = rss_kib();
  auto t0 = now_ns();
  std::jthread runner([&](std::stop_token st) { inf.run(st); });
  std::stop_source never;
  if (!inf.wait_for_sync(never.get_token())) die("informer did not sync");
  double sync_ms = static_cast<double>(now_ns() - t0) / 1e6;
  long peak = rss_kib();
  // Page buffers and parse temporaries are freed by now; give them back so RSS is the cache.
  malloc_trim(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  malloc_trim(0);
  long after = rss_kib();
  std::size_t n = inf.store().size();
  std::size_t json_bytes = 0;
  for (auto& o : inf.store().list()) json_bytes += o->dump().size();
  if (expect >= 0 && static_cast<long>(n) != expect) {
    die("informer holds " + std::to_string(n) + " objects, expected " + std::to_string(expect));
  }
  runner.request_stop();
  runner.join();
  Json res{{"test", "informer"},
           {"objects", n},
           {"sync_ms", sync_ms},
           {"rss_before_kib", before},
           {"rss_synced_kib", peak},
           {"rss_after_trim_kib", after},
           {"bytes_per_object",
            n ? static_cast<double>(after - before) * 1024.0 / static_cast<double>(n) : 0.0},
           {"json_bytes_per_object",
            n ? static_cast<double>(json_bytes) / static_cast<double>(n) : 0.0}};
  std::cout << res.dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parse_args(argc, argv);
  if (a.cmd == "sample") return cmd_sample();
  if (a.cmd == "create") return cmd_create(a);
  if (a.cmd == "list") return cmd_list(a);
  if (a.cmd == "watch") return cmd_watch(a);
  if (a.cmd == "informer") return cmd_informer(a);
  die("unknown subcommand " + a.cmd);
}
