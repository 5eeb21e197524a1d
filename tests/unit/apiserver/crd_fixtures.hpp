#pragma once
// The real CRDs of charts/ferrum/crds as JSON, for tests that must hold on what Ferrum ships
// rather than on hand-written schemas. YAML goes through yaml-cpp with the scalar typing of
// YAML 1.2's core schema (plain true/false/null/numbers typed, quoted scalars strings), which
// is what the API server's YAML decoder does for these files.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace ferrum::apiserver::testing {

inline nlohmann::json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      return out;
    }
    case YAML::NodeType::Scalar:
      break;
  }
  const std::string& s = node.Scalar();
  // yaml-cpp tags quoted scalars "!": those are strings whatever they look like.
  if (node.Tag() == "!") return s;
  if (s == "true" || s == "True") return true;
  if (s == "false" || s == "False") return false;
  if (s == "null" || s == "~") return nullptr;
  static const std::regex integer(R"([-+]?[0-9]+)");
  static const std::regex floating(R"([-+]?([0-9]*\.[0-9]+|[0-9]+\.?[0-9]*)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, integer)) return std::stoll(s);
  if (std::regex_match(s, floating)) return std::stod(s);
  return s;
}

inline std::vector<nlohmann::json> load_yaml_documents(const std::string& path) {
  std::vector<nlohmann::json> out;
  for (const auto& doc : YAML::LoadAllFromFile(path)) {
    if (doc.IsNull()) continue;
    out.push_back(yaml_to_json(doc));
  }
  return out;
}

inline std::string crd_dir() { return std::string(FERRUM_SOURCE_DIR) + "/charts/ferrum/crds"; }

// One CRD by file stem, e.g. "metal.sidero.dev_servers".
inline nlohmann::json load_crd(const std::string& stem) {
  auto docs = load_yaml_documents(crd_dir() + "/" + stem + ".yaml");
  if (docs.size() != 1) throw std::runtime_error(stem + ": expected one document");
  return docs.front();
}

inline std::vector<nlohmann::json> load_all_crds() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(crd_dir())) {
    if (e.path().extension() == ".yaml") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<nlohmann::json> out;
  for (const auto& f : files) {
    for (auto& d : load_yaml_documents(f)) out.push_back(std::move(d));
  }
  return out;
}

// The openAPIV3Schema of one version of a CRD.
inline nlohmann::json crd_schema(const nlohmann::json& crd, const std::string& version) {
  for (const auto& v : crd.at("spec").at("versions")) {
    if (v.at("name") == version) return v.at("schema").at("openAPIV3Schema");
  }
  throw std::runtime_error("no version " + version);
}

}  // namespace ferrum::apiserver::testing
