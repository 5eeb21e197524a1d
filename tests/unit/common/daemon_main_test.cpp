// daemon_main's exit codes and order, with an app whose parts record what happened.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <stdexcept>

#include "ferrum/daemon.hpp"

namespace {

using ferrum::DaemonApp;
using ferrum::RunnableGroup;

// argv for a daemon with no flags of its own, its admin server on a free port.
struct Args {
  std::vector<std::string> storage{"ferrum-test", "--admin-listen=127.0.0.1:0", "--log-level=error",
                                   "--shutdown-timeout=2s"};
  std::vector<char*> argv;
  Args() {
    for (auto& s : storage) argv.push_back(s.data());
  }
  int argc() const { return static_cast<int>(argv.size()); }
};

class JournalApp final : public DaemonApp {
 public:
  JournalApp(std::vector<std::string>* journal, std::function<void(RunnableGroup&)> extra)
      : journal_(journal), extra_(std::move(extra)) {}
  void add_parts(RunnableGroup& parts) override {
    parts.add(
        "first",
        [this] {
          journal_->push_back("start first");
          return std::string();
        },
        [this](ferrum::Runnable::Deadline) { journal_->push_back("stop first"); });
    extra_(parts);
  }

 private:
  std::vector<std::string>* journal_;
  std::function<void(RunnableGroup&)> extra_;
};

int run(std::vector<std::string>* journal, std::function<void(RunnableGroup&)> extra,
        std::function<std::string()> validate = {}) {
  Args args;
  return ferrum::daemon_main(
      args.argc(), args.argv.data(),
      {"ferrum-test", "test", "A daemon for tests.", "127.0.0.1:0", [](auto&) {}, validate,
       [&](ferrum::Daemon&) { return std::make_unique<JournalApp>(journal, extra); }});
}

TEST(DaemonMain, AValidateErrorExits2BeforeAnythingStarts) {
  std::vector<std::string> journal;
  EXPECT_EQ(run(
                &journal, [](RunnableGroup&) {}, [] { return std::string("--x: bad"); }),
            2);
  EXPECT_TRUE(journal.empty());
}

// daemon_main with a make_app that throws.
int run_throwing(const std::function<void()>& thrower) {
  Args args;
  return ferrum::daemon_main(args.argc(), args.argv.data(),
                             {"ferrum-test",
                              "test",
                              "A daemon for tests.",
                              "127.0.0.1:0",
                              [](auto&) {},
                              {},
                              [&](ferrum::Daemon&) -> std::unique_ptr<DaemonApp> {
                                thrower();
                                return nullptr;
                              }});
}

TEST(DaemonMain, AFlagErrorFromMakeAppExits2) {
  EXPECT_EQ(run_throwing([] { throw ferrum::FlagError("--kubeconfig: no such file"); }), 2);
}

TEST(DaemonMain, OtherExceptionsFromMakeAppExit1) {
  EXPECT_EQ(run_throwing([] { throw std::runtime_error("database locked"); }), 1);
}

TEST(DaemonMain, AFailedPartExits1AndStopsThePartsBeforeIt) {
  std::vector<std::string> journal;
  EXPECT_EQ(run(&journal,
                [](RunnableGroup& parts) {
                  parts.add("second", [] { return std::string("--listen: address in use"); }, {});
                }),
            1);
  EXPECT_EQ(journal, (std::vector<std::string>{"start first", "stop first"}));
}

TEST(DaemonMain, APartsExitRequestEndsTheDaemonWithItsCode) {
  std::vector<std::string> journal;
  EXPECT_EQ(run(&journal,
                [](RunnableGroup& parts) {
                  parts.add_thread("leader", [&parts](std::stop_token) {
                    parts.request_exit(3, "leadership lost");
                  });
                }),
            3);
  EXPECT_EQ(journal, (std::vector<std::string>{"start first", "stop first"}));
}

TEST(DaemonMain, SigtermStopsEverythingAndExits0) {
  std::vector<std::string> journal;
  EXPECT_EQ(run(&journal,
                [](RunnableGroup& parts) {
                  // Sent once every part started; blocked in every thread, so it waits for
                  // daemon_main's wait to take it.
                  parts.add("signal",
                            [] {
                              ::kill(::getpid(), SIGTERM);
                              return std::string();
                            },
                            {});
                }),
            0);
  EXPECT_EQ(journal, (std::vector<std::string>{"start first", "stop first"}));
}

}  // namespace
