#include "k8s_protobuf.hpp"

#include <gtest/gtest.h>

using ferrum::apiserver::decode_k8s_protobuf;

namespace {
std::string unhex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) out += static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16));
  return out;
}
// What kubectl 1.32 sent for `kubectl create secret generic bmc-creds2 --from-literal=user=admin
// --from-literal=pass=x`, captured on the wire.
const char* kKubectlSecret =
    "6b3873000a0c0a027631120653656372657412380a1a0a0a626d632d63726564733212001a0022002a00320038004200"
    "12090a0470617373120178120d0a0475736572120561646d696e1a001a002200";
}  // namespace

TEST(K8sProtobuf, DecodesTheSecretKubectlSends) {
  auto obj = decode_k8s_protobuf(unhex(kKubectlSecret));
  ASSERT_TRUE(obj) << obj.error();
  EXPECT_EQ((*obj)["apiVersion"], "v1");
  EXPECT_EQ((*obj)["kind"], "Secret");
  EXPECT_EQ((*obj)["metadata"]["name"], "bmc-creds2");
  EXPECT_FALSE((*obj)["metadata"].contains("namespace"));  // empty strings are absent
  EXPECT_EQ((*obj)["data"]["user"], "YWRtaW4=");
  EXPECT_EQ((*obj)["data"]["pass"], "eA==");
  EXPECT_FALSE(obj->contains("type"));
}

TEST(K8sProtobuf, RejectsWhatItCannotRead) {
  std::string good = unhex(kKubectlSecret);
  EXPECT_NE(decode_k8s_protobuf("{\"kind\":\"Secret\"}").error().find("magic"), std::string::npos);
  for (std::size_t cut : {5u, 10u, 30u, 60u}) {
    auto r = decode_k8s_protobuf(good.substr(0, cut));
    EXPECT_FALSE(r) << "truncated at " << cut;
  }
  // typeMeta kind "Pod" instead of "Secret" (same length: 6 -> "Podxxx" would differ; build one).
  std::string pod = std::string("k8s\0", 4) + unhex("0a090a02763112035f6f64");
  pod[4 + 2 + 2 + 2 + 2] = 'P';
  auto r = decode_k8s_protobuf(pod);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("Secret, ConfigMap and Namespace only"), std::string::npos) << r.error();
}
