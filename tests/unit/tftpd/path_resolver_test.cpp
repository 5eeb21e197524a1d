// Path safety: normalization table, then real files, directories and symlinks in a temp root.
#include "path_resolver.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace ferrum::tftp;
namespace fs = std::filesystem;

TEST(NormalizeRequestPath, AcceptedForms) {
  struct Case {
    std::string in, out;
  };
  std::vector<Case> cases = {
      {"ipxe.efi", "ipxe.efi"},
      {"/ipxe.efi", "ipxe.efi"},
      {"boot/ipxe.efi", "boot/ipxe.efi"},
      {"./boot//./ipxe.efi", "boot/ipxe.efi"},
      {"boot\\ipxe.efi", "boot/ipxe.efi"},
      {"/boot/", "boot"},
      {"..a/b..", "..a/b.."},
      {"a/.../b", "a/.../b"},
  };
  for (const auto& c : cases) {
    auto r = normalize_request_path(c.in);
    ASSERT_TRUE(r) << c.in << ": " << r.error().reason;
    EXPECT_EQ(*r, c.out) << c.in;
  }
}

TEST(NormalizeRequestPath, RefusedWithAccessViolation) {
  for (std::string in :
       {"..", "../etc/passwd", "/../etc/passwd", "a/../../b", "a/..", "..\\x", "//etc/passwd",
        "\\\\server\\share", "C:\\boot.ini", "c:/x", "/", "", ".", "./", "a\\..\\..\\b"}) {
    auto r = normalize_request_path(in);
    ASSERT_FALSE(r) << in << " -> " << (r ? *r : "");
    EXPECT_EQ(r.error().code, ErrorCode::kAccessViolation) << in;
  }
}

class PathResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base = fs::temp_directory_path() /
           ("ferrum-path-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base);
    fs::create_directories(base / "root/sub");
    fs::create_directories(base / "outside");
    write(base / "root/ipxe.efi", "EFI");
    write(base / "root/sub/inner.txt", "inner");
    write(base / "outside/secret", "secret");
    fs::create_symlink("sub/inner.txt", base / "root/link-in");
    fs::create_symlink("../outside/secret", base / "root/link-out");
    fs::create_symlink(base / "outside/secret", base / "root/link-abs");
    fs::create_symlink("../outside", base / "root/dir-out");
    fs::create_symlink("loop", base / "root/loop");
    auto r = PathResolver::open_root((base / "root").string());
    ASSERT_TRUE(r) << r.error();
    resolver.emplace(std::move(*r));
  }
  void TearDown() override { fs::remove_all(base); }
  static void write(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }
  std::string read_all(int fd) {
    std::string s(64, '\0');
    auto n = ::pread(fd, s.data(), s.size(), 0);
    s.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return s;
  }
  fs::path base;
  std::optional<PathResolver> resolver;
};

TEST_F(PathResolverTest, OpensFilesUnderTheRoot) {
  auto f = resolver->open("/ipxe.efi");
  ASSERT_TRUE(f) << f.error().reason;
  EXPECT_EQ(read_all(f->fd.get()), "EFI");
  EXPECT_EQ(f->path, "ipxe.efi");
  EXPECT_EQ(f->st.st_size, 3);
  auto g = resolver->open("sub\\inner.txt");
  ASSERT_TRUE(g);
  EXPECT_EQ(read_all(g->fd.get()), "inner");
}

TEST_F(PathResolverTest, SymlinkInsideTheRootIsFollowed) {
  auto f = resolver->open("link-in");
  ASSERT_TRUE(f) << f.error().reason;
  EXPECT_EQ(read_all(f->fd.get()), "inner");
}

TEST_F(PathResolverTest, SymlinksLeavingTheRootAreRefused) {
  for (auto name : {"link-out", "link-abs", "dir-out/secret"}) {
    auto f = resolver->open(name);
    ASSERT_FALSE(f) << name;
    EXPECT_EQ(f.error().code, ErrorCode::kAccessViolation) << name << ": " << f.error().reason;
  }
}

TEST_F(PathResolverTest, MissingIsNotFoundAndOtherKindsAreRefused) {
  auto f = resolver->open("nope.efi");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, ErrorCode::kFileNotFound);
  f = resolver->open("ipxe.efi/child");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, ErrorCode::kFileNotFound);
  f = resolver->open("sub");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, ErrorCode::kAccessViolation);
  f = resolver->open("loop");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, ErrorCode::kAccessViolation);
  f = resolver->open("../outside/secret");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, ErrorCode::kAccessViolation);
}

TEST_F(PathResolverTest, MissingRootNamesTheFlag) {
  auto r = PathResolver::open_root((base / "missing").string());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("--root"), std::string::npos);
}
