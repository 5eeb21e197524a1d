#pragma once
// Prometheus metrics: counters, gauges and histograms with labels, exposed in the text
// exposition format 0.0.4.
//
// Contract: families are registered once by name (registering the same name again with the
// same type and label names returns the same family; anything else is a programming error
// and throws std::logic_error). `Family::with(values)` returns a child whose address is
// stable for the registry's lifetime: hot paths look it up once and keep the reference.
// Updates are lock-free atomics; exposition takes a snapshot under the family lock.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ferrum::metrics {

class Counter {
 public:
  void inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  void dec(double v = 1) { value_.fetch_sub(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double v);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf last
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
  std::atomic<std::uint64_t> count_{0};
};

// Default latency buckets in seconds (Prometheus client defaults).
std::vector<double> default_buckets();
// `count` buckets starting at `start`, each `factor` times the previous.
std::vector<double> exponential_buckets(double start, double factor, int count);

enum class Type { kCounter, kGauge, kHistogram };

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, Type type, std::vector<std::string> labels)
      : name_(std::move(name)), help_(std::move(help)), type_(type), labels_(std::move(labels)) {}
  virtual ~FamilyBase() = default;
  const std::string& name() const { return name_; }
  Type type() const { return type_; }
  const std::vector<std::string>& label_names() const { return labels_; }
  virtual void expose(std::string& out) const = 0;

 protected:
  std::string name_;
  std::string help_;
  Type type_;
  std::vector<std::string> labels_;
};

template <typename M>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, Type type, std::vector<std::string> labels,
         std::vector<double> buckets = {})
      : FamilyBase(std::move(name), std::move(help), type, std::move(labels)),
        buckets_(std::move(buckets)) {}

  // The child for these label values (same count and order as the label names).
  M& with(const std::vector<std::string>& values);
  // The child of a family without labels.
  M& get() { return with({}); }
  void expose(std::string& out) const override;

 private:
  std::vector<double> buckets_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> children_;
};

class Registry {
 public:
  Family<Counter>& counter(const std::string& name, const std::string& help,
                           std::vector<std::string> labels = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help,
                       std::vector<std::string> labels = {});
  Family<Histogram>& histogram(const std::string& name, const std::string& help,
                               std::vector<double> buckets, std::vector<std::string> labels = {});
  // A gauge computed at scrape time (queue depth, cache size, RSS).
  void gauge_callback(const std::string& name, const std::string& help,
                      std::function<double()> fn);
  // A counter computed at scrape time from a source that only grows (CPU seconds); Prometheus
  // reserves the `_total` suffix for counters, and rate() needs the type to be right.
  void counter_callback(const std::string& name, const std::string& help,
                        std::function<double()> fn);

  // The whole registry in text exposition format 0.0.4.
  std::string expose() const;

 private:
  FamilyBase& add(std::unique_ptr<FamilyBase> f);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
};

// process_resident_memory_bytes, process_cpu_seconds_total, process_open_fds,
// process_start_time_seconds, read from /proc at scrape time.
void register_process_metrics(Registry& r);

bool valid_metric_name(std::string_view s);
bool valid_label_name(std::string_view s);
std::string escape_label_value(std::string_view s);
std::string format_value(double v);

}  // namespace ferrum::metrics
