// The install image's layout and its recognition (install_image.hpp).
#include "install_image.hpp"

#include <gtest/gtest.h>

namespace ferrum::talos_node {
namespace {

TEST(InstallImage, HeaderThenPattern) {
  auto img = install_image("u-1", "/dev/vda", {{"b", "2"}, {"a", "1"}});
  ASSERT_EQ(img.size(), kInstallImageBytes);
  std::string header = "FERRUM-TALOS-NODE-PEER v1\nuuid=u-1\ndisk=/dev/vda\nlabels=a=1,b=2\n";
  EXPECT_EQ(img.substr(0, header.size()), header);
  EXPECT_EQ(img[header.size()], '\0');
  for (std::size_t i : {kInstallHeaderBytes, kInstallHeaderBytes + 1, kInstallImageBytes - 1}) {
    EXPECT_EQ(static_cast<unsigned char>(img[i]), i % 251) << i;
  }
}

TEST(InstallImage, RecognisedOnlyForItsUuid) {
  auto img = install_image("u-1", "/dev/vda", {});
  EXPECT_TRUE(holds_install_image(img, "u-1"));
  EXPECT_FALSE(holds_install_image(img, "u-2"));
  EXPECT_FALSE(holds_install_image(img, "u-"));
  EXPECT_FALSE(holds_install_image(std::string(4096, '\0'), "u-1"));
  EXPECT_FALSE(holds_install_image("", "u-1"));
}

}  // namespace
}  // namespace ferrum::talos_node
