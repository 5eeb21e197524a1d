#include "ferrum/metrics.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ferrum::metrics {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double v) {
  // Buckets are few (tens): a linear scan beats a binary search here.
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.upper_bounds = bounds_;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  // count is the +Inf bucket so the exposition is self-consistent even mid-update.
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> default_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> exponential_buckets(double start, double factor, int count) {
  std::vector<double> out;
  double v = start;
  for (int i = 0; i < count; ++i, v *= factor) out.push_back(v);
  return out;
}

bool valid_metric_name(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool valid_label_name(std::string_view s) {
  if (s.empty() || s.starts_with("__") || s == "le") return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string escape_label_value(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

static std::string escape_help(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

static std::string label_set(const std::vector<std::string>& names,
                             const std::vector<std::string>& values, std::string_view extra = {}) {
  if (names.empty() && extra.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i] + "=\"" + escape_label_value(values[i]) + "\"";
  }
  if (!extra.empty()) {
    if (!names.empty()) out += ',';
    out += extra;
  }
  return out + "}";
}

static std::string_view type_name(Type t) {
  switch (t) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

template <typename M>
M& Family<M>::with(const std::vector<std::string>& values) {
  if (values.size() != labels_.size()) {
    throw std::logic_error("metric " + name_ + ": want " + std::to_string(labels_.size()) +
                           " label values, got " + std::to_string(values.size()));
  }
  std::lock_guard lock(mu_);
  auto& slot = children_[values];
  if (!slot) {
    if constexpr (std::is_same_v<M, Histogram>) {
      slot = std::make_unique<Histogram>(buckets_);
    } else {
      slot = std::make_unique<M>();
    }
  }
  return *slot;
}

template <typename M>
void Family<M>::expose(std::string& out) const {
  out += "# HELP " + name_ + " " + escape_help(help_) + "\n";
  out += "# TYPE " + name_ + " " + std::string(type_name(type_)) + "\n";
  std::lock_guard lock(mu_);
  for (const auto& [values, child] : children_) {
    if constexpr (std::is_same_v<M, Histogram>) {
      auto snap = child->snapshot();
      for (std::size_t i = 0; i <= snap.upper_bounds.size(); ++i) {
        std::string le = i < snap.upper_bounds.size() ? format_value(snap.upper_bounds[i]) : "+Inf";
        out += name_ + "_bucket" + label_set(labels_, values, "le=\"" + le + "\"") + " " +
               std::to_string(snap.cumulative[i]) + "\n";
      }
      out += name_ + "_sum" + label_set(labels_, values) + " " + format_value(snap.sum) + "\n";
      out += name_ + "_count" + label_set(labels_, values) + " " + std::to_string(snap.count) + "\n";
    } else {
      out += name_ + label_set(labels_, values) + " " + format_value(child->value()) + "\n";
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

namespace {
class CallbackFamily final : public FamilyBase {
 public:
  CallbackFamily(std::string name, std::string help, Type type, std::function<double()> fn)
      : FamilyBase(std::move(name), std::move(help), type, {}), fn_(std::move(fn)) {}
  void expose(std::string& out) const override {
    out += "# HELP " + name_ + " " + escape_help(help_) + "\n";
    out += "# TYPE " + name_ + (type() == Type::kCounter ? " counter\n" : " gauge\n");
    out += name_ + " " + format_value(fn_()) + "\n";
  }

 private:
  std::function<double()> fn_;
};
}  // namespace

FamilyBase& Registry::add(std::unique_ptr<FamilyBase> f) {
  if (!valid_metric_name(f->name())) throw std::logic_error("invalid metric name " + f->name());
  for (const auto& l : f->label_names()) {
    if (!valid_label_name(l)) throw std::logic_error("metric " + f->name() + ": invalid label " + l);
  }
  std::lock_guard lock(mu_);
  for (auto& existing : families_) {
    if (existing->name() != f->name()) continue;
    if (existing->type() != f->type() || existing->label_names() != f->label_names() ||
        dynamic_cast<CallbackFamily*>(existing.get()) != nullptr) {
      throw std::logic_error("metric " + f->name() + " registered twice with different shapes");
    }
    return *existing;
  }
  families_.push_back(std::move(f));
  return *families_.back();
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help,
                                   std::vector<std::string> labels) {
  return static_cast<Family<Counter>&>(
      add(std::make_unique<Family<Counter>>(name, help, Type::kCounter, std::move(labels))));
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help,
                               std::vector<std::string> labels) {
  return static_cast<Family<Gauge>&>(
      add(std::make_unique<Family<Gauge>>(name, help, Type::kGauge, std::move(labels))));
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<double> buckets,
                                       std::vector<std::string> labels) {
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    if (!(buckets[i] > buckets[i - 1])) {
      throw std::logic_error("metric " + name + ": buckets must increase");
    }
  }
  return static_cast<Family<Histogram>&>(add(std::make_unique<Family<Histogram>>(
      name, help, Type::kHistogram, std::move(labels), std::move(buckets))));
}

void Registry::gauge_callback(const std::string& name, const std::string& help,
                              std::function<double()> fn) {
  add(std::make_unique<CallbackFamily>(name, help, Type::kGauge, std::move(fn)));
}

void Registry::counter_callback(const std::string& name, const std::string& help,
                                std::function<double()> fn) {
  add(std::make_unique<CallbackFamily>(name, help, Type::kCounter, std::move(fn)));
}

std::string Registry::expose() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& f : families_) f->expose(out);
  return out;
}

namespace {
// Fields of /proc/self/stat after the command name; index 0 is field 3 (state).
std::vector<std::string> proc_stat_fields() {
  std::ifstream in("/proc/self/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = all.rfind(')');
  std::vector<std::string> out;
  if (close == std::string::npos) return out;
  std::istringstream rest(all.substr(close + 2));
  std::string f;
  while (rest >> f) out.push_back(f);
  return out;
}

double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}
}  // namespace

void register_process_metrics(Registry& r) {
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  r.gauge_callback("process_resident_memory_bytes", "Resident memory size in bytes.", [page] {
    auto f = proc_stat_fields();
    return f.size() > 21 ? std::stod(f[21]) * page : 0.0;  // field 24: rss pages
  });
  r.counter_callback("process_cpu_seconds_total", "Total user and system CPU time in seconds.",
                     [ticks] {
                     auto f = proc_stat_fields();
                     // fields 14 (utime) and 15 (stime)
                     return f.size() > 12 ? (std::stod(f[11]) + std::stod(f[12])) / ticks : 0.0;
                   });
  r.gauge_callback("process_open_fds", "Number of open file descriptors.", [] {
    std::error_code ec;
    double n = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      ++n;
    }
    return n;
  });
  const double start = [&] {
    auto f = proc_stat_fields();
    return f.size() > 19 ? boot_time_seconds() + std::stod(f[19]) / ticks : 0.0;  // field 22
  }();
  r.gauge_callback("process_start_time_seconds", "Start time of the process since the epoch.",
                   [start] { return start; });
}

}  // namespace ferrum::metrics
