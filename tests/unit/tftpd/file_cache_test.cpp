// The file cache: hits, refresh on change, streaming of large files, netascii, eviction.
#include "file_cache.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace ferrum::tftp;
namespace fs = std::filesystem;

class FileCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() /
           ("ferrum-cache-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root);
    fs::create_directories(root);
    auto r = PathResolver::open_root(root.string());
    ASSERT_TRUE(r);
    resolver.emplace(std::move(*r));
  }
  void TearDown() override { fs::remove_all(root); }
  void write(const std::string& name, const std::string& s) {
    std::ofstream(root / name, std::ios::binary | std::ios::trunc) << s;
  }
  std::string content(FileCache& cache, const std::string& name, Mode mode = Mode::kOctet,
                      bool* in_memory = nullptr) {
    auto f = resolver->open(name);
    EXPECT_TRUE(f);
    auto src = cache.source(std::move(*f), mode);
    EXPECT_TRUE(src) << src.error().reason;
    if (!src) return {};
    if (in_memory) *in_memory = src->in_memory();
    std::vector<std::uint8_t> scratch(src->size());
    auto bytes = src->read(0, src->size(), scratch);
    EXPECT_TRUE(bytes);
    return std::string(bytes->begin(), bytes->end());
  }
  fs::path root;
  std::optional<PathResolver> resolver;
};

TEST_F(FileCacheTest, SecondRequestIsAHit) {
  FileCache cache({1 << 20, 1 << 20});
  write("a", "hello");
  EXPECT_EQ(content(cache, "a"), "hello");
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(content(cache, "a"), "hello");
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.bytes(), 5u);
  EXPECT_EQ(cache.files(), 1u);
}

TEST_F(FileCacheTest, ChangedFileIsReRead) {
  FileCache cache({1 << 20, 1 << 20});
  write("a", "old");
  EXPECT_EQ(content(cache, "a"), "old");
  // A different size is always detected; so is a replaced file (new inode) of the same size.
  write("a", "newer");
  EXPECT_EQ(content(cache, "a"), "newer");
  write("b.tmp", "NEWER");
  fs::rename(root / "b.tmp", root / "a");
  EXPECT_EQ(content(cache, "a"), "NEWER");
  EXPECT_EQ(cache.hits(), 0u);
  EXPECT_EQ(cache.files(), 1u);
  EXPECT_EQ(cache.bytes(), 5u);
}

TEST_F(FileCacheTest, LargeFilesStreamFromDisk) {
  FileCache cache({1 << 20, 16});
  write("big", std::string(100, 'x') + "end");
  bool in_memory = true;
  EXPECT_EQ(content(cache, "big", Mode::kOctet, &in_memory), std::string(100, 'x') + "end");
  EXPECT_FALSE(in_memory);
  EXPECT_EQ(cache.files(), 0u);
  // A read of a range returns exactly that range.
  auto f = resolver->open("big");
  auto src = cache.source(std::move(*f), Mode::kOctet);
  ASSERT_TRUE(src);
  std::vector<std::uint8_t> scratch(8);
  auto part = src->read(99, 8, scratch);
  ASSERT_TRUE(part);
  EXPECT_EQ(std::string(part->begin(), part->end()), "xend");
  // Past the end: nothing.
  EXPECT_FALSE(src->read(200, 8, scratch));
}

TEST_F(FileCacheTest, StreamedFileThatShrinksFailsTheRead) {
  FileCache cache({1 << 20, 4});
  write("big", std::string(100, 'x'));
  auto f = resolver->open("big");
  auto src = cache.source(std::move(*f), Mode::kOctet);
  ASSERT_TRUE(src);
  fs::resize_file(root / "big", 10);
  std::vector<std::uint8_t> scratch(50);
  EXPECT_FALSE(src->read(50, 50, scratch));
}

TEST_F(FileCacheTest, NetasciiIsConvertedAndCachedSeparately) {
  FileCache cache({1 << 20, 1 << 20});
  write("t", "a\nb");
  EXPECT_EQ(content(cache, "t", Mode::kNetascii), "a\r\nb");
  EXPECT_EQ(content(cache, "t", Mode::kOctet), "a\nb");
  EXPECT_EQ(cache.files(), 2u);
}

TEST_F(FileCacheTest, LargeNetasciiIsRefused) {
  FileCache cache({1 << 20, 4});
  write("t", "0123456789");
  auto f = resolver->open("t");
  auto src = cache.source(std::move(*f), Mode::kNetascii);
  ASSERT_FALSE(src);
  EXPECT_EQ(src.error().code, ErrorCode::kNotDefined);
}

TEST_F(FileCacheTest, LeastRecentlyUsedIsEvicted) {
  FileCache cache({10, 10});
  write("a", "aaaa");
  write("b", "bbbb");
  write("c", "cccc");
  content(cache, "a");
  content(cache, "b");
  content(cache, "a");  // a is now more recent than b
  content(cache, "c");  // 12 bytes > 10: evicts b
  EXPECT_EQ(cache.bytes(), 8u);
  EXPECT_EQ(cache.files(), 2u);
  auto hits = cache.hits();
  content(cache, "a");
  EXPECT_EQ(cache.hits(), hits + 1);
  content(cache, "b");
  EXPECT_EQ(cache.hits(), hits + 1);  // b was evicted: a miss
}
