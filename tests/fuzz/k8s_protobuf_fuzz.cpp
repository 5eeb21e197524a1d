// libFuzzer target for the Kubernetes protobuf body decoder (services/apiserver k8s_protobuf):
// any body decodes to a JSON object or fails with a message, never throws; a decoded object
// has the apiVersion and kind a client would have sent and serializes (the API handler
// stores and answers it as JSON text).
#include "services/apiserver/k8s_protobuf.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto obj = ferrum::apiserver::decode_k8s_protobuf(ferrum::fuzz::as_text(data, size));
  if (!obj) {
    FUZZ_CHECK(!obj.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(obj->is_object());
  FUZZ_CHECK(obj->contains("kind") && (*obj)["kind"].is_string());
  FUZZ_CHECK(obj->contains("apiVersion") && (*obj)["apiVersion"].is_string());
  // Strict serialization: the decoder refuses strings that are not UTF-8, so this never throws.
  std::string text = obj->dump();
  FUZZ_CHECK(nlohmann::json::parse(text) == *obj);
  return 0;
}
