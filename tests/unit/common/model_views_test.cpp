// Typed views other than Server: ServerClass, Environment, the Cluster API provider kinds,
// Cluster/Machine and Secret.
#include <gtest/gtest.h>

#include "ferrum/model/cluster_api.hpp"
#include "ferrum/model/environment.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/metal_cluster.hpp"
#include "ferrum/model/metal_machine.hpp"
#include "ferrum/model/secret.hpp"
#include "ferrum/model/server_binding.hpp"
#include "ferrum/model/server_class.hpp"

namespace ferrum::model {
namespace {

ObjectReference ref(std::string kind, std::string name, std::string ns = "") {
  ObjectReference r;
  r.kind = std::move(kind);
  r.name = std::move(name);
  r.namespace_ = std::move(ns);
  return r;
}

TEST(ModelServerClass, Accessors) {
  ServerClass c{json::parse(R"json({
    "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "ServerClass", "metadata": {"name": "w"},
    "spec": {
      "environmentRef": {"name": "env"},
      "qualifiers": {"hardware": [{"system": {"manufacturer": "Dell"}, "x-extra": 1}],
                     "labelSelectors": [{"a": "1", "b": "2"}, {"c": "3"}]},
      "selector": {"matchLabels": {"k": "v"}},
      "configPatches": [{"op": "add", "path": "/p", "value": [1]}],
      "strategicPatches": ["a: b"],
      "bootFromDiskMethod": "http-404"},
    "status": {"serversAvailable": ["s1", "s2"], "serversInUse": []}})json")};
  EXPECT_EQ(c.environment_ref(), ref("", "env"));
  ASSERT_EQ(c.hardware_qualifiers().size(), 1u);
  EXPECT_EQ(c.hardware_qualifiers()[0].system->manufacturer, "Dell");
  EXPECT_EQ((*c.hardware_qualifiers_json())[0]["x-extra"], 1) << "raw form keeps unknown keys";
  ASSERT_EQ(c.label_selector_qualifiers().size(), 2u);
  EXPECT_EQ(c.label_selector_qualifiers()[0], (Labels{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ((*c.selector_json())["matchLabels"]["k"], "v");
  EXPECT_EQ(c.config_patches()[0].value, json::parse("[1]"));
  EXPECT_EQ(c.strategic_patches(), (std::vector<std::string>{"a: b"}));
  EXPECT_EQ(c.boot_from_disk_method(), "http-404");
  EXPECT_EQ(c.servers_available(), (std::vector<std::string>{"s1", "s2"}));
  EXPECT_TRUE(c.servers_in_use().empty());

  c.set_servers_available({});
  c.set_servers_in_use({"s1"});
  EXPECT_EQ(c.raw()["status"], json::parse(R"({"serversAvailable": [], "serversInUse": ["s1"]})"))
      << "status lists are written even when empty";
  c.set_label_selector_qualifiers({{{"z", "9"}}});
  EXPECT_EQ(c.raw()["spec"]["qualifiers"]["labelSelectors"], json::parse(R"([{"z": "9"}])"));
  c.set_label_selector_qualifiers({});
  c.set_hardware_qualifiers({});
  EXPECT_EQ(c.raw()["spec"]["qualifiers"], json::object());
  c.set_selector(json::parse(R"({"matchLabels": {}})"));
  c.set_environment_ref(ref("Environment", "e2"));
  EXPECT_EQ(c.environment_ref()->name, "e2");
  c.clear_environment_ref();
  EXPECT_FALSE(c.environment_ref());
  c.set_config_patches({});
  c.set_strategic_patches({});
  c.set_boot_from_disk_method("ipxe-exit");
  EXPECT_EQ(c.raw()["spec"], json::parse(R"({"qualifiers": {}, "selector": {"matchLabels": {}},
    "bootFromDiskMethod": "ipxe-exit"})"));

  ServerClass made = ServerClass::make("any");
  EXPECT_EQ(made.api_version(), "metal.sidero.dev/v1alpha2");
  EXPECT_EQ(made.kind(), "ServerClass");
  EXPECT_EQ(made.name(), kServerClassAny);
}

TEST(ModelEnvironment, SpecAndReadiness) {
  Environment e{json::parse(R"json({
    "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Environment",
    "metadata": {"name": "default"},
    "spec": {"kernel": {"url": "http://a/vmlinuz", "sha512": "k1", "args": ["console=tty0",
             "talos.platform=metal"], "x": 1},
             "initrd": {"url": "http://a/initramfs.xz"}}})json")};
  EnvironmentKernel k = e.kernel();
  EXPECT_EQ(k.url, "http://a/vmlinuz");
  EXPECT_EQ(k.sha512, "k1");
  EXPECT_EQ(k.args.size(), 2u);
  EXPECT_EQ(e.initrd().url, "http://a/initramfs.xz");
  EXPECT_EQ(e.initrd().sha512, "");
  EXPECT_FALSE(e.is_ready());

  EXPECT_TRUE(e.set_asset_condition({"http://a/vmlinuz", "k1", "True", "Ready"}));
  EXPECT_FALSE(e.set_asset_condition({"http://a/vmlinuz", "k1", "True", "Ready"}));
  EXPECT_FALSE(e.is_ready()) << "initrd not ready yet";
  EXPECT_TRUE(e.set_asset_condition({"http://a/initramfs.xz", "", "False", "Ready"}));
  EXPECT_FALSE(e.is_ready());
  EXPECT_TRUE(e.set_asset_condition({"http://a/initramfs.xz", "", "True", "Ready"}));
  EXPECT_TRUE(e.is_ready());
  EXPECT_EQ(e.asset_conditions().size(), 2u);
  EXPECT_EQ(e.raw()["status"]["conditions"][1],
            json::parse(R"({"url": "http://a/initramfs.xz", "status": "True", "type": "Ready"})"));

  // Changing the kernel URL makes the Environment not ready until the new asset is.
  k.url = "http://b/vmlinuz";
  k.args = {};
  e.set_kernel(k);
  EXPECT_EQ(e.raw()["spec"]["kernel"], json::parse(R"({"url": "http://b/vmlinuz",
    "sha512": "k1", "x": 1})"));
  EXPECT_FALSE(e.is_ready());
  e.set_initrd({"http://b/initrd", "i2"});
  EXPECT_EQ(e.initrd(), (EnvironmentAsset{"http://b/initrd", "i2"}));

  Environment empty = Environment::make("default");
  EXPECT_TRUE(empty.is_ready()) << "no assets: nothing to wait for (Sidero's rule)";
  EXPECT_EQ(empty.api_version(), "metal.sidero.dev/v1alpha2");
}

TEST(ModelMetalCluster, Accessors) {
  MetalCluster c{json::parse(R"({"spec": {"controlPlaneEndpoint": {"host": "10.0.0.1",
    "port": 6443}}, "status": {"ready": false}})")};
  EXPECT_EQ(c.control_plane_endpoint(), (ApiEndpoint{"10.0.0.1", 6443}));
  EXPECT_FALSE(c.ready());
  c.set_ready(true);
  c.set_control_plane_endpoint({"h", 1});
  EXPECT_TRUE(c.ready());
  EXPECT_EQ(c.raw()["spec"]["controlPlaneEndpoint"], json::parse(R"({"host": "h", "port": 1})"));
}

TEST(ModelMetalMachine, Accessors) {
  MetalMachine m{json::parse(R"json({
    "apiVersion": "infrastructure.cluster.x-k8s.io/v1alpha3", "kind": "MetalMachine",
    "metadata": {"name": "m", "namespace": "default",
                 "ownerReferences": [{"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Machine",
                                      "name": "cp-0", "uid": "u1", "controller": true}]},
    "spec": {"serverClassRef": {"kind": "ServerClass", "name": "any",
                                "apiVersion": "metal.sidero.dev/v1alpha2"}},
    "status": {"ready": false}})json")};
  EXPECT_FALSE(m.provider_id());
  EXPECT_FALSE(m.server_ref());
  EXPECT_EQ(m.server_class_ref()->name, "any");
  EXPECT_EQ(m.spec().server_class_ref, m.server_class_ref());
  EXPECT_EQ(m.owner_of_kind(kClusterApiGroup, "Machine")->name, "cp-0");

  m.set_server_ref(ref("Server", "uuid-1"));
  m.set_provider_id("sidero://uuid-1");
  m.set_ready(true);
  m.set_addresses({{"InternalIP", "10.0.0.2"}, {"Hostname", "n1"}});
  m.set_failure("InvalidConfiguration", "no such class");
  EXPECT_EQ(m.provider_id(), "sidero://uuid-1");
  EXPECT_EQ(m.server_ref()->name, "uuid-1");
  EXPECT_TRUE(m.ready());
  EXPECT_EQ(m.addresses().size(), 2u);
  EXPECT_EQ(m.failure_reason(), "InvalidConfiguration");
  EXPECT_EQ(m.failure_message(), "no such class");
  m.set_failure("", "");
  EXPECT_FALSE(m.failure_reason());
  EXPECT_FALSE(m.failure_message());
  m.clear_server_ref();
  EXPECT_FALSE(m.server_ref());
  m.set_server_class_ref(ref("ServerClass", "gpu"));
  EXPECT_EQ(m.server_class_ref()->name, "gpu");
  EXPECT_TRUE(m.set_condition({std::string(kConditionTalosInstalled), "True", "", "", "", {}},
                              Timestamp{}));
  EXPECT_TRUE(m.is_condition_true(kConditionTalosInstalled));

  MetalMachineTemplate t{json::parse(R"({"spec": {"template": {"spec": {
    "serverClassRef": {"kind": "ServerClass", "name": "workers"}}}}})")};
  EXPECT_EQ(t.template_spec().server_class_ref->name, "workers");
  EXPECT_FALSE(t.template_spec().server_ref);
  EXPECT_NE(t.template_spec_json(), nullptr);
  EXPECT_EQ(json(t.template_spec()), (*t.template_spec_json()));
}

TEST(ModelServerBinding, Accessors) {
  ServerBinding b = ServerBinding::make("uuid-1");
  EXPECT_EQ(b.api_version(), "infrastructure.cluster.x-k8s.io/v1alpha3");
  EXPECT_EQ(b.kind(), "ServerBinding");
  EXPECT_EQ(b.metal_machine_ref(), ObjectReference{});
  EXPECT_FALSE(b.siderolink());
  b.set_metal_machine_ref(ref("MetalMachine", "m", "default"));
  b.set_server_class_ref(ref("ServerClass", "any"));
  b.set_siderolink({"fdae:41e4:649b:9303::1/64", "pubkey="});
  b.set_addresses({"10.0.0.2"});
  b.set_hostname("node-1");
  b.set_ready(true);
  EXPECT_EQ(b.raw()["spec"], json::parse(R"({
    "metalMachineRef": {"kind": "MetalMachine", "name": "m", "namespace": "default"},
    "serverClassRef": {"kind": "ServerClass", "name": "any"},
    "siderolink": {"address": "fdae:41e4:649b:9303::1/64", "publicKey": "pubkey="},
    "addresses": ["10.0.0.2"], "hostname": "node-1"})"));
  EXPECT_EQ(b.metal_machine_ref().namespace_, "default");
  EXPECT_EQ(b.server_class_ref()->name, "any");
  EXPECT_EQ(b.siderolink()->public_key, "pubkey=");
  EXPECT_EQ(b.addresses(), (std::vector<std::string>{"10.0.0.2"}));
  EXPECT_EQ(b.hostname(), "node-1");
  EXPECT_TRUE(b.ready());
}

TEST(ModelClusterApi, ClusterAndMachine) {
  Cluster c{json::parse(R"({"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Cluster",
    "spec": {"paused": true, "controlPlaneEndpoint": {"host": "1.2.3.4", "port": 6443},
             "infrastructureRef": {"kind": "MetalCluster", "name": "c"}},
    "status": {"infrastructureReady": true}})")};
  EXPECT_TRUE(c.infrastructure_ready());
  EXPECT_TRUE(c.paused());
  EXPECT_EQ(c.control_plane_endpoint()->port, 6443);
  EXPECT_EQ(c.infrastructure_ref()->kind, "MetalCluster");
  EXPECT_FALSE(Cluster{}.infrastructure_ready());

  Machine m{json::parse(R"({"metadata": {"labels": {"cluster.x-k8s.io/cluster-name": "c1"}},
    "spec": {"bootstrap": {"dataSecretName": "cp-0-bootstrap"}, "providerID": "sidero://u",
             "infrastructureRef": {"kind": "MetalMachine", "name": "mm"}}})")};
  EXPECT_EQ(m.cluster_name(), "c1") << "falls back to the label";
  EXPECT_EQ(m.bootstrap_data_secret_name(), "cp-0-bootstrap");
  EXPECT_EQ(m.provider_id(), "sidero://u");
  EXPECT_EQ(m.infrastructure_ref()->name, "mm");
  m.raw()["spec"]["clusterName"] = "c2";
  EXPECT_EQ(m.cluster_name(), "c2");
  EXPECT_FALSE(Machine{}.bootstrap_data_secret_name());
  EXPECT_FALSE(Machine{}.cluster_name());
}

TEST(ModelSecret, DataDecodingAndStringData) {
  Secret s{json::parse(R"({"apiVersion": "v1", "kind": "Secret",
    "metadata": {"name": "b", "namespace": "default"}, "type": "Opaque",
    "data": {"user": "YWRtaW4=", "bad": "***", "value": ""},
    "stringData": {"pass": "hunter2", "user": "override"}})")};
  EXPECT_EQ(s.type(), "Opaque");
  EXPECT_EQ(s.value("user"), "override") << "stringData wins";
  EXPECT_EQ(s.value("pass"), "hunter2");
  EXPECT_EQ(s.value("value"), "");
  EXPECT_FALSE(s.value("bad"));
  EXPECT_FALSE(s.value("missing"));
  EXPECT_EQ(s.keys(), (std::vector<std::string>{"bad", "pass", "user", "value"}));

  s.set_value("user", "root");
  EXPECT_EQ(s.value("user"), "root");
  EXPECT_EQ(s.raw()["data"]["user"], "cm9vdA==");
  EXPECT_FALSE(s.raw()["stringData"].contains("user"));

  Secret made = Secret::make("ns", "kubeconfig");
  made.set_type("cluster.x-k8s.io/secret");
  made.set_value("value", std::string("\x00\xff\x10", 3));
  EXPECT_EQ(made.value("value"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(made.namespace_(), "ns");
}

TEST(ModelSecret, Base64) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain);
  }
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64_decode("+/8="), "\xfb\xff");
  for (const char* bad : {"Zg=", "Z===", "Zg==Zg==", "Zm9v!", "Zg=a", "=Zg="}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
}

}  // namespace
}  // namespace ferrum::model
