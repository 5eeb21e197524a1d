#include "ferrum/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

using namespace ferrum::log;

namespace {
std::shared_ptr<spdlog::logger> capture(std::ostringstream& out) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto l = std::make_shared<spdlog::logger>("test", sink);
  l->set_pattern("%v");
  return l;
}
}  // namespace

TEST(Log, JsonLinesCarryEnvelopeAndFields) {
  std::ostringstream out;
  auto o = std::make_shared<const Output>(Format::kJson, Level::kInfo, capture(out));
  Logger log(o, "tftp");
  log.info("transfer finished", {{"server", "4c4c4544"}, {"bytes", 1024}, {"ok", true}});
  log.debug("hidden");
  std::string line = out.str();
  ASSERT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["logger"], "tftp");
  EXPECT_EQ(j["msg"], "transfer finished");
  EXPECT_EQ(j["server"], "4c4c4544");
  EXPECT_EQ(j["bytes"], 1024);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["time"].get<std::string>().size(), 24u);
}

TEST(Log, FieldsNeverOverwriteEnvelopeAndBadUtf8IsReplaced) {
  std::ostringstream out;
  auto o = std::make_shared<const Output>(Format::kJson, Level::kDebug, capture(out));
  Logger(o, "x").warn("m", {{"msg", "sneaky"}, {"raw", std::string("\xff\xfe ok")}});
  auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["msg"], "m");
  EXPECT_EQ(j["field.msg"], "sneaky");
  EXPECT_EQ(j["level"], "warn");
}

TEST(Log, TextFormatQuotesWhereNeeded) {
  std::ostringstream out;
  auto o = std::make_shared<const Output>(Format::kText, Level::kDebug, capture(out));
  Logger(o, "registry").child("grpc").error("call failed", {{"server", "abc"}, {"reason", "no route"}, {"n", 3}});
  std::string line = out.str();
  EXPECT_NE(line.find(" ERROR registry.grpc: call failed server=abc reason=\"no route\" n=3"),
            std::string::npos)
      << line;
}

TEST(Log, LevelsAndFormatsParse) {
  EXPECT_EQ(parse_level("warn"), Level::kWarn);
  EXPECT_EQ(parse_level("warning"), Level::kWarn);
  EXPECT_FALSE(parse_level("loud"));
  EXPECT_EQ(parse_format("text"), Format::kText);
  EXPECT_FALSE(parse_format("xml"));
}
