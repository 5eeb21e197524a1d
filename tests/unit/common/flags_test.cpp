#include "ferrum/flags.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace ferrum::flags;
using namespace std::chrono_literals;

namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

struct Settings {
  std::string listen;
  bool single_port = false;
  std::int64_t max_blksize = 0;
  std::chrono::milliseconds timeout{};
  std::string method;
  std::vector<std::string> args;
};

FlagSet make(Settings& s) {
  FlagSet f("ferrum-test", "A test daemon.");
  f.add_string("listen", &s.listen, "0.0.0.0:69", "Where to listen.");
  f.add_bool("single-port", &s.single_port, false, "Serve every transfer on one port.");
  f.add_int("max-blksize", &s.max_blksize, 1468, "Largest block size.", 8, 65464);
  f.add_duration("timeout", &s.timeout, 1s, "Retransmission timeout.");
  f.add_choice("boot-from-disk-method", &s.method, "ipxe-exit",
               {"ipxe-exit", "http-404", "ipxe-sanboot"}, "How to boot from disk.");
  f.add_list("extra-args", &s.args, {}, "Extra kernel args.");
  return f;
}

}  // namespace

TEST(Flags, DefaultsApplyWithoutArgs) {
  Settings s;
  auto f = make(s);
  auto r = f.parse(std::vector<std::string>{}, env_of({}));
  ASSERT_EQ(r.outcome, Outcome::kRun) << r.message;
  EXPECT_EQ(s.listen, "0.0.0.0:69");
  EXPECT_FALSE(s.single_port);
  EXPECT_EQ(s.max_blksize, 1468);
  EXPECT_EQ(s.timeout, 1s);
  EXPECT_EQ(s.method, "ipxe-exit");
}

TEST(Flags, CommandLineFormsAndPrecedenceOverEnvironment) {
  Settings s;
  auto f = make(s);
  auto r = f.parse(std::vector<std::string>{"--listen=[::]:6969", "--single-port", "--max-blksize",
                                            "512", "--timeout=2s", "--extra-args=a=1,b=2",
                                            "--extra-args", "c=3"},
                   env_of({{"FERRUM_LISTEN", "127.0.0.1:1"}, {"FERRUM_MAX_BLKSIZE", "9000"}}));
  ASSERT_EQ(r.outcome, Outcome::kRun) << r.message;
  EXPECT_EQ(s.listen, "[::]:6969");
  EXPECT_TRUE(s.single_port);
  EXPECT_EQ(s.max_blksize, 512);
  EXPECT_EQ(s.timeout, 2s);
  EXPECT_EQ(s.args, (std::vector<std::string>{"a=1", "b=2", "c=3"}));
}

TEST(Flags, EnvironmentFallback) {
  Settings s;
  auto f = make(s);
  auto r = f.parse(std::vector<std::string>{},
                   env_of({{"FERRUM_SINGLE_PORT", "true"}, {"FERRUM_BOOT_FROM_DISK_METHOD", "http-404"}}));
  ASSERT_EQ(r.outcome, Outcome::kRun) << r.message;
  EXPECT_TRUE(s.single_port);
  EXPECT_EQ(s.method, "http-404");
}

TEST(Flags, UnknownFlagSuggestsClosest) {
  Settings s;
  auto f = make(s);
  auto r = f.parse(std::vector<std::string>{"--max-blocksize=512"}, env_of({}));
  ASSERT_EQ(r.outcome, Outcome::kError);
  EXPECT_NE(r.message.find("unknown flag --max-blocksize"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("did you mean --max-blksize?"), std::string::npos) << r.message;

  r = f.parse(std::vector<std::string>{"--zzzzzzzzzzzz"}, env_of({}));
  ASSERT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.message.find("did you mean"), std::string::npos) << r.message;
}

TEST(Flags, BadValuesNameTheFlagOrVariable) {
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string want;
  };
  std::vector<Case> cases = {
      {{"--max-blksize=70000"}, {}, "invalid value for --max-blksize: must be between 8 and 65464"},
      {{"--max-blksize=abc"}, {}, "invalid value for --max-blksize: want an integer"},
      {{"--timeout=5"}, {}, "invalid value for --timeout: want a duration"},
      {{"--single-port=maybe"}, {}, "invalid value for --single-port: want true or false"},
      {{"--boot-from-disk-method=pxe"}, {}, "want one of ipxe-exit|http-404|ipxe-sanboot"},
      {{"--listen"}, {}, "flag --listen needs a value"},
      {{}, {{"FERRUM_TIMEOUT", "soon"}}, "environment variable FERRUM_TIMEOUT (flag --timeout)"},
      {{"stray"}, {}, "unexpected argument \"stray\""},
  };
  for (const auto& c : cases) {
    Settings s;
    auto f = make(s);
    auto r = f.parse(c.args, env_of(c.env));
    ASSERT_EQ(r.outcome, Outcome::kError) << c.want;
    EXPECT_NE(r.message.find(c.want), std::string::npos) << r.message;
  }
}

TEST(Flags, HelpListsEveryFlagDefaultAndVariable) {
  Settings s;
  auto f = make(s);
  auto r = f.parse(std::vector<std::string>{"--help"}, env_of({}));
  ASSERT_EQ(r.outcome, Outcome::kHelp);
  for (const char* want : {"--listen", "--single-port", "--max-blksize", "--timeout",
                           "--boot-from-disk-method", "--extra-args", "FERRUM_MAX_BLKSIZE",
                           "default: 1468", "default: 1s", "ipxe-exit|http-404|ipxe-sanboot",
                           "--version", "A test daemon."}) {
    EXPECT_NE(r.message.find(want), std::string::npos) << want;
  }
  r = f.parse(std::vector<std::string>{"--version"}, env_of({}));
  EXPECT_EQ(r.outcome, Outcome::kVersion);
  EXPECT_NE(r.message.find("ferrum-test "), std::string::npos);
}

TEST(Flags, Durations) {
  EXPECT_EQ(parse_duration("250ms"), 250ms);
  EXPECT_EQ(parse_duration("20m"), 20min);
  EXPECT_EQ(parse_duration("1h30m"), 90min);
  EXPECT_EQ(parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(parse_duration("0"), 0ms);
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("5"));
  EXPECT_FALSE(parse_duration("5d"));
  EXPECT_FALSE(parse_duration("m"));
  EXPECT_EQ(format_duration(20min), "20m");
  EXPECT_EQ(format_duration(90min + 5s), "1h30m5s");
  EXPECT_EQ(format_duration(250ms), "250ms");
}

TEST(Flags, EnvName) {
  EXPECT_EQ(FlagSet::env_name("boot-from-disk-method"), "FERRUM_BOOT_FROM_DISK_METHOD");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}
