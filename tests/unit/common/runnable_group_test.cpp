#include "ferrum/runnable.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <stdexcept>

namespace {

using ferrum::Runnable;
using ferrum::RunnableGroup;

// Records every start and stop into one journal, so the order across parts is visible.
class Recorder final : public Runnable {
 public:
  Recorder(std::string name, std::vector<std::string>* journal, std::string fail = {})
      : name_(std::move(name)), journal_(journal), fail_(std::move(fail)) {}
  std::string start() override {
    journal_->push_back("start " + name_);
    return fail_;
  }
  void stop(Deadline deadline) override {
    journal_->push_back("stop " + name_);
    last_deadline = deadline;
  }
  Deadline last_deadline{};

 private:
  std::string name_;
  std::vector<std::string>* journal_;
  std::string fail_;
};

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1;
}

TEST(RunnableGroup, StartsInOrderAndStopsInReverseWithOneDeadline) {
  std::vector<std::string> journal;
  Recorder a("a", &journal), b("b", &journal), c("c", &journal);
  RunnableGroup group(ferrum::log::discard("test"));
  group.add("a", a);
  group.add("b", b);
  group.add("c", c);
  EXPECT_EQ(group.not_ready(), "not started");
  ASSERT_EQ(group.start(), "");
  EXPECT_EQ(group.not_ready(), "");
  EXPECT_EQ(group.started(), (std::vector<std::string>{"a", "b", "c"}));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(7);
  group.stop(deadline);
  EXPECT_EQ(journal,
            (std::vector<std::string>{"start a", "start b", "start c", "stop c", "stop b", "stop a"}));
  EXPECT_EQ(a.last_deadline, deadline);
  EXPECT_EQ(c.last_deadline, deadline);
  EXPECT_EQ(group.not_ready(), "stopping");
  group.stop(deadline);  // a second stop does nothing
  EXPECT_EQ(journal.size(), 6u);
}

TEST(RunnableGroup, AFailedStartStopsThePartsAlreadyStartedInReverse) {
  std::vector<std::string> journal;
  Recorder a("a", &journal), b("b", &journal), c("c", &journal, "--listen: address in use"),
      d("d", &journal);
  RunnableGroup group(ferrum::log::discard("test"));
  group.add("a", a);
  group.add("b", b);
  group.add("c", c);
  group.add("d", d);
  auto before = std::chrono::steady_clock::now();
  // The part's error comes back unchanged: it names the flag.
  EXPECT_EQ(group.start(), "--listen: address in use");
  EXPECT_EQ(journal,
            (std::vector<std::string>{"start a", "start b", "start c", "stop b", "stop a"}));
  // Undoing does not wait for a drain: the deadline is "now".
  EXPECT_LE(a.last_deadline, std::chrono::steady_clock::now());
  EXPECT_GE(a.last_deadline, before);
  EXPECT_TRUE(group.started().empty());
  EXPECT_EQ(group.not_ready(), "stopping");
  group.stop(std::chrono::steady_clock::now());  // nothing left to stop
  EXPECT_EQ(journal.size(), 5u);
}

TEST(RunnableGroup, AThrowingStartIsAFailedStartNamingThePart) {
  std::vector<std::string> journal;
  Recorder a("a", &journal);
  RunnableGroup group(ferrum::log::discard("test"));
  group.add("a", a);
  group.add(
      "informers", []() -> std::string { throw std::runtime_error("boom"); },
      [](Runnable::Deadline) {});
  EXPECT_EQ(group.start(), "informers: boom");
  EXPECT_EQ(journal, (std::vector<std::string>{"start a", "stop a"}));
}

TEST(RunnableGroup, DestructionStopsWhatStillRuns) {
  std::vector<std::string> journal;
  Recorder a("a", &journal), b("b", &journal);
  {
    RunnableGroup group(ferrum::log::discard("test"));
    group.add("a", a);
    group.add("b", b);
    ASSERT_EQ(group.start(), "");
  }
  EXPECT_EQ(journal, (std::vector<std::string>{"start a", "start b", "stop b", "stop a"}));
}

TEST(RunnableGroup, ThreadPartRunsUntilStopped) {
  std::atomic<bool> saw_stop{false};
  RunnableGroup group(ferrum::log::discard("test"));
  group.add_thread("loop", [&](std::stop_token st) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait(lock, st, [] { return false; });
    saw_stop = st.stop_requested();
  });
  ASSERT_EQ(group.start(), "");
  group.stop(std::chrono::steady_clock::now());
  EXPECT_TRUE(saw_stop.load());  // stop() joined the thread after requesting its stop
}

TEST(RunnableGroup, RequestExitWakesTheWaiterOnceWithTheFirstReason) {
  RunnableGroup group(ferrum::log::discard("test"));
  group.add_thread("leader", [&group](std::stop_token) {
    group.request_exit(1, "leadership lost");
  });
  EXPECT_FALSE(readable(group.exit_fd()));
  ASSERT_EQ(group.start(), "");
  pollfd p{group.exit_fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10'000), 1);  // bounded: the thread requests at once
  group.request_exit(0, "later");
  auto request = group.exit_requested();
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->code, 1);
  EXPECT_EQ(request->reason, "leadership lost");
  group.stop(std::chrono::steady_clock::now());
}

}  // namespace
