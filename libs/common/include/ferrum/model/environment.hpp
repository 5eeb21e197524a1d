#pragma once
// Environment (metal.sidero.dev/v1alpha2, cluster-scoped): kernel and initrd to PXE-boot.
// Its status.conditions are per-asset records {url, sha512, status, type=Ready}, not Cluster
// API conditions; the asset cache writes one per asset URL.

#include <optional>
#include <string>
#include <vector>

#include "ferrum/model/object.hpp"

namespace ferrum::model {

struct EnvironmentAsset {
  std::string url;
  std::string sha512;
  bool operator==(const EnvironmentAsset&) const = default;
};

struct EnvironmentKernel {
  std::string url;
  std::string sha512;
  std::vector<std::string> args;
  bool operator==(const EnvironmentKernel&) const = default;
};

struct AssetCondition {
  std::string url;
  std::string sha512;
  std::string status;  // "True" / "False"
  std::string type;    // "Ready"
  bool operator==(const AssetCondition&) const = default;
};

void to_json(json& j, const EnvironmentAsset& v);
void from_json(const json& j, EnvironmentAsset& v);
void to_json(json& j, const EnvironmentKernel& v);
void from_json(const json& j, EnvironmentKernel& v);
void to_json(json& j, const AssetCondition& v);
void from_json(const json& j, AssetCondition& v);

class Environment : public Object {
 public:
  using Object::Object;
  static Environment make(std::string_view name);

  EnvironmentKernel kernel() const;
  void set_kernel(const EnvironmentKernel& v);
  EnvironmentAsset initrd() const;
  void set_initrd(const EnvironmentAsset& v);

  std::vector<AssetCondition> asset_conditions() const;
  // Upserts the entry with the same url and type; returns whether anything changed.
  bool set_asset_condition(const AssetCondition& c);
  // Ready when every asset URL in the spec has a Ready=True condition (Sidero's rule).
  bool is_ready() const;
};

}  // namespace ferrum::model
