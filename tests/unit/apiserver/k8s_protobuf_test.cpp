#include "k8s_protobuf.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

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
  ASSERT_TRUE(obj) << obj.error().message;
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
  EXPECT_NE(decode_k8s_protobuf("{\"kind\":\"Secret\"}").error().message.find("magic"),
            std::string::npos);
  for (std::size_t cut : {5u, 10u, 30u, 60u}) {
    auto r = decode_k8s_protobuf(good.substr(0, cut));
    EXPECT_FALSE(r) << "truncated at " << cut;
  }
  // typeMeta kind "Pod" instead of "Secret" (same length: 6 -> "Podxxx" would differ; build one).
  std::string pod = std::string("k8s\0", 4) + unhex("0a090a02763112035f6f64");
  pod[4 + 2 + 2 + 2 + 2] = 'P';
  auto r = decode_k8s_protobuf(pod);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("Secret, ConfigMap and Namespace only"), std::string::npos)
      << r.error().message;
}

namespace {
std::string varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}
std::string field(std::uint32_t number, const std::string& bytes) {
  return varint((number << 3) | 2) + varint(bytes.size()) + bytes;
}
}  // namespace

// The decoder reads a fixed shape (envelope, TypeMeta, object, ObjectMeta, OwnerReference):
// nesting in the input drives no recursion, so 100,000 nested messages are only bytes.
TEST(K8sProtobuf, DeeplyNestedMessagesAreDecodedWithoutRecursion) {
  // 100,000 levels of an unknown ObjectMeta field (9), built from the inside out.
  const std::string inner = field(1, "x");
  std::vector<std::string> headers;
  std::size_t size = inner.size();
  for (int i = 0; i < 100'000; ++i) {
    headers.push_back(varint((9u << 3) | 2) + varint(size));
    size += headers.back().size();
  }
  std::string nested;
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) nested += *it;
  nested += inner;
  std::string secret = field(1, field(1, "n") + nested) + field(2, field(1, "k") + field(2, "v"));
  std::string body =
      std::string("k8s\0", 4) + field(1, field(1, "v1") + field(2, "Secret")) + field(2, secret);
  auto obj = decode_k8s_protobuf(body);
  ASSERT_TRUE(obj) << obj.error().message;
  EXPECT_EQ((*obj)["metadata"]["name"], "n");
  EXPECT_EQ((*obj)["data"]["k"], "dg==");
}

// Found by tests/fuzz k8s_protobuf_fuzz: a ConfigMap whose metadata.namespace is "d\xa2fault"
// decoded into JSON that nlohmann's dump throws on.
TEST(K8sProtobuf, StringsThatAreNotUtf8AreRefused) {
  std::string cm = field(1, field(1, "n") + field(3,
                                                  "d\xa2"
                                                  "fault")) +
                   field(2, field(1, "k") + field(2, "v"));
  std::string body =
      std::string("k8s\0", 4) + field(1, field(1, "v1") + field(2, "ConfigMap")) + field(2, cm);
  auto obj = decode_k8s_protobuf(body);
  ASSERT_FALSE(obj);
  EXPECT_TRUE(obj.error().invalid_utf8);
  EXPECT_EQ(obj.error().message, "ConfigMap protobuf message has a string that is not valid UTF-8");
  std::string ok = field(1, field(1, "n") + field(3, "default")) +
                   field(2, field(1, "k") + field(2, "caf\xc3\xa9"));
  auto good = decode_k8s_protobuf(std::string("k8s\0", 4) +
                                  field(1, field(1, "v1") + field(2, "ConfigMap")) + field(2, ok));
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ((*good)["data"]["k"], "caf\xc3\xa9");
}
