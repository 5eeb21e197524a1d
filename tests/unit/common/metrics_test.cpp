#include "ferrum/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <thread>

using namespace ferrum::metrics;

TEST(Metrics, CounterGaugeExposition) {
  Registry r;
  auto& c = r.counter("ferrum_tftp_transfers_total", "Transfers by result.", {"result"});
  c.with({"ok"}).inc();
  c.with({"ok"}).inc(2);
  c.with({"error \"1\"\n"}).inc();
  r.gauge("ferrum_queue_depth", "Items waiting.").get().set(7.5);
  std::string text = r.expose();
  EXPECT_NE(text.find("# HELP ferrum_tftp_transfers_total Transfers by result.\n"
                      "# TYPE ferrum_tftp_transfers_total counter\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ferrum_tftp_transfers_total{result=\"ok\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ferrum_tftp_transfers_total{result=\"error \\\"1\\\"\\n\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ferrum_queue_depth 7.5\n"), std::string::npos) << text;
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Registry r;
  auto& h = r.histogram("ferrum_render_seconds", "Render time.", {0.1, 1}, {"route"});
  auto& child = h.with({"/ipxe"});
  child.observe(0.05);
  child.observe(0.5);
  child.observe(0.5);
  child.observe(3);
  std::string text = r.expose();
  EXPECT_NE(text.find("ferrum_render_seconds_bucket{route=\"/ipxe\",le=\"0.10000000000000001\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ferrum_render_seconds_bucket{route=\"/ipxe\",le=\"1\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("ferrum_render_seconds_bucket{route=\"/ipxe\",le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("ferrum_render_seconds_sum{route=\"/ipxe\"} 4.0499999999999998\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("ferrum_render_seconds_count{route=\"/ipxe\"} 4\n"), std::string::npos);
}

TEST(Metrics, ShapeMismatchesAreProgrammingErrors) {
  Registry r;
  auto& a = r.counter("x_total", "x", {"a"});
  EXPECT_EQ(&a, &r.counter("x_total", "x", {"a"}));
  EXPECT_THROW(r.gauge("x_total", "x", {"a"}), std::logic_error);
  EXPECT_THROW(r.counter("x_total", "x", {"b"}), std::logic_error);
  EXPECT_THROW(r.counter("bad-name", "x"), std::logic_error);
  EXPECT_THROW(r.counter("y_total", "x", {"__reserved"}), std::logic_error);
  EXPECT_THROW(a.with({}), std::logic_error);
  EXPECT_THROW(r.histogram("h", "h", {1, 1}), std::logic_error);
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
  Registry r;
  auto& c = r.counter("c_total", "c").get();
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.inc();
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(c.value(), 40000);
}

TEST(Metrics, ProcessMetricsReadProc) {
  Registry r;
  register_process_metrics(r);
  std::string text = r.expose();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex("process_resident_memory_bytes (\\d+)\n")));
  EXPECT_GT(std::stod(m[1]), 1e5);
  ASSERT_TRUE(std::regex_search(text, m, std::regex("process_start_time_seconds ([0-9.e+]+)\n")));
  EXPECT_GT(std::stod(m[1]), 1.6e9);
  ASSERT_TRUE(std::regex_search(text, m, std::regex("process_open_fds (\\d+)\n")));
  EXPECT_GE(std::stod(m[1]), 3);
  // `_total` is reserved for counters: CPU seconds only grow.
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE process_open_fds gauge\n"), std::string::npos) << text;
}

TEST(Metrics, FormatValue) {
  EXPECT_EQ(format_value(3), "3");
  EXPECT_EQ(format_value(-2), "-2");
  EXPECT_EQ(format_value(0.5), "0.5");
  EXPECT_EQ(format_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
}
