#include "object_meta_validation.hpp"

#include <regex>

namespace ferrum::apiserver {

using json = nlohmann::json;

namespace {

// The formats and messages of k8s.io/apimachinery/pkg/util/validation/validation.go, so a
// client sees the words (and the regex) kube-apiserver would print.
const char* const kQnameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const char* const kQnameErr =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
const char* const kLabelValueErr =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and "
    "must start and end with an alphanumeric character";
const char* const kDnsLabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const char* const kDnsLabelErr =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start "
    "and end with an alphanumeric character";
const char* const kDnsSubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const char* const kDnsSubdomainErr =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and "
    "must start and end with an alphanumeric character";
const char* const kConfigKeyFmt = "[-._a-zA-Z0-9]+";
const char* const kConfigKeyErr =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";

const std::regex& re(const char* fmt) {
  // One compiled regex per format, built once (the formats are the constants above).
  static const std::regex qname(std::string("^") + kQnameFmt + "$");
  static const std::regex label(std::string("^") + kDnsLabelFmt + "$");
  static const std::regex subdomain(std::string("^") + kDnsSubdomainFmt + "$");
  static const std::regex key(std::string("^") + kConfigKeyFmt + "$");
  if (fmt == kQnameFmt) return qname;
  if (fmt == kDnsLabelFmt) return label;
  if (fmt == kDnsSubdomainFmt) return subdomain;
  return key;
}

bool matches(const std::string& v, const char* fmt) { return std::regex_match(v, re(fmt)); }

std::string max_len_error(std::size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

std::string regex_error(const std::string& msg, const std::string& fmt,
                        std::vector<std::string> examples) {
  std::string out = msg + " (e.g. ";
  for (std::size_t i = 0; i < examples.size(); ++i)
    out += (i ? " or '" : "'") + examples[i] + "', ";
  return out + "regex used for validation is '" + fmt + "')";
}

std::string qname_regex_error() {
  return regex_error(kQnameErr, kQnameFmt, {"MyName", "my.name", "123-abc"});
}

}  // namespace

std::vector<std::string> dns1123_label_errors(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > kDns1123LabelMaxLength) errs.push_back(max_len_error(kDns1123LabelMaxLength));
  if (!matches(value, kDnsLabelFmt)) {
    if (matches(value, kDnsSubdomainFmt)) {
      errs.push_back("must not contain dots");
    } else {
      errs.push_back(regex_error(kDnsLabelErr, kDnsLabelFmt, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

std::vector<std::string> dns1123_subdomain_errors(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > kDns1123SubdomainMaxLength)
    errs.push_back(max_len_error(kDns1123SubdomainMaxLength));
  if (!matches(value, kDnsSubdomainFmt))
    errs.push_back(regex_error(kDnsSubdomainErr, kDnsSubdomainFmt, {"example.com"}));
  return errs;
}

std::vector<std::string> qualified_name_errors(const std::string& value) {
  std::vector<std::string> errs;
  std::string name = value;
  auto slash = value.find('/');
  if (slash != std::string::npos) {
    if (value.find('/', slash + 1) != std::string::npos) {
      return {"a qualified name " + qname_regex_error() +
              " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"};
    }
    std::string prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (const auto& m : dns1123_subdomain_errors(prefix)) errs.push_back("prefix part " + m);
    }
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > kQualifiedNameMaxLength) {
    errs.push_back("name part " + max_len_error(kQualifiedNameMaxLength));
  }
  if (!matches(name, kQnameFmt)) errs.push_back("name part " + qname_regex_error());
  return errs;
}

std::vector<std::string> label_value_errors(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > kLabelValueMaxLength) errs.push_back(max_len_error(kLabelValueMaxLength));
  if (!value.empty() && !matches(value, kQnameFmt)) {
    errs.push_back(regex_error(kLabelValueErr, std::string("(") + kQnameFmt + ")?",
                               {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

std::vector<std::string> config_map_key_errors(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > kDns1123SubdomainMaxLength)
    errs.push_back(max_len_error(kDns1123SubdomainMaxLength));
  if (!matches(value, kConfigKeyFmt)) {
    errs.push_back(regex_error(kConfigKeyErr, kConfigKeyFmt, {"key.name", "KEY_NAME", "key-name"}));
  }
  // hasChDirPrefix: keys become file names when mounted.
  if (value == ".") errs.push_back("must not be '.'");
  if (value == "..") {
    errs.push_back("must not be '..'");
  } else if (value.starts_with("..")) {
    errs.push_back("must not start with '..'");
  }
  return errs;
}

namespace {

std::vector<std::string> name_errors(const std::string& name, NameRule rule, bool prefix) {
  // ValidateObjectMetaAccessor checks generateName as a prefix: a trailing '-' is allowed
  // (objectmeta.go maskTrailingDash).
  std::string checked = name;
  if (prefix && checked.size() > 1 && checked.back() == '-') checked.back() = 'a';
  return rule == NameRule::kDnsLabel ? dns1123_label_errors(checked)
                                     : dns1123_subdomain_errors(checked);
}

void check_string_map(const json& md, const char* key, FieldErrors& out, bool labels) {
  auto it = md.find(key);
  if (it == md.end() || it->is_null()) return;
  std::string path = std::string("metadata.") + key;
  if (!it->is_object()) {
    out.push_back(FieldError::invalid(path, *it, "must be a map of strings"));
    return;
  }
  std::size_t total = 0;
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      out.push_back(FieldError::invalid(path + "[" + k + "]", v, "must be a string"));
      continue;
    }
    // Annotation keys are checked lower-cased (objectmeta.go ValidateAnnotations).
    std::string checked_key = k;
    if (!labels) {
      for (auto& c : checked_key)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    for (const auto& m : qualified_name_errors(checked_key))
      out.push_back(FieldError::invalid(path, k, m));
    const std::string& s = v.get_ref<const std::string&>();
    if (labels) {
      for (const auto& m : label_value_errors(s)) out.push_back(FieldError::invalid(path, s, m));
    }
    total += k.size() + s.size();
  }
  if (!labels && total > kTotalAnnotationSizeLimit)
    out.push_back(FieldError::too_long(path, kTotalAnnotationSizeLimit));
}

}  // namespace

FieldErrors validate_object_meta(const json& md, bool namespaced, NameRule rule) {
  FieldErrors out;
  std::string name = md.value("name", "");
  std::string generate = md.value("generateName", "");
  if (!generate.empty()) {
    for (const auto& m : name_errors(generate, rule, true))
      out.push_back(FieldError::invalid("metadata.generateName", generate, m));
  }
  if (name.empty()) {
    out.push_back(FieldError::required("metadata.name", "name or generateName is required"));
  } else {
    for (const auto& m : name_errors(name, rule, false))
      out.push_back(FieldError::invalid("metadata.name", name, m));
  }
  if (namespaced) {
    std::string ns = md.value("namespace", "");
    if (ns.empty()) {
      out.push_back(FieldError::required("metadata.namespace", ""));
    } else {
      for (const auto& m : dns1123_label_errors(ns))
        out.push_back(FieldError::invalid("metadata.namespace", ns, m));
    }
  }
  check_string_map(md, "labels", out, true);
  check_string_map(md, "annotations", out, false);
  if (auto f = md.find("finalizers"); f != md.end() && !f->is_null()) {
    if (!f->is_array()) {
      out.push_back(FieldError::invalid("metadata.finalizers", *f, "must be a list of strings"));
    } else {
      for (std::size_t i = 0; i < f->size(); ++i) {
        const json& v = (*f)[i];
        std::string path = "metadata.finalizers[" + std::to_string(i) + "]";
        if (!v.is_string()) {
          out.push_back(FieldError::invalid(path, v, "must be a string"));
          continue;
        }
        for (const auto& m : qualified_name_errors(v.get<std::string>()))
          out.push_back(FieldError::invalid(path, v, m));
      }
    }
  }
  if (auto o = md.find("ownerReferences"); o != md.end() && !o->is_null()) {
    if (!o->is_array()) {
      out.push_back(FieldError::invalid("metadata.ownerReferences", *o, "must be a list"));
    } else {
      // objectmeta.go validateOwnerReference: apiVersion, kind, name and uid are required.
      for (std::size_t i = 0; i < o->size(); ++i) {
        const json& r = (*o)[i];
        std::string path = "metadata.ownerReferences[" + std::to_string(i) + "]";
        if (!r.is_object()) {
          out.push_back(FieldError::invalid(path, r, "must be an object"));
          continue;
        }
        for (const char* f : {"apiVersion", "kind", "name", "uid"}) {
          if (r.value(f, "").empty())
            out.push_back(FieldError::invalid(path + "." + f, r.value(f, ""),
                                              std::string(f) + " must not be empty"));
        }
      }
    }
  }
  return out;
}

FieldErrors validate_object_meta_update(const json& md, const json& old, bool namespaced,
                                        NameRule rule) {
  FieldErrors out;
  // Ratcheting: a field this update leaves as stored is not re-checked, so objects stored
  // before these rules can still have their status written (Kubernetes checks them again).
  for (auto& e : validate_object_meta(md, namespaced, rule)) {
    std::string top = e.field.substr(0, e.field.find_first_of(".[", 9));
    std::string key = top.size() > 9 ? top.substr(9) : "";
    if (!key.empty() && md.value(key, json()) == old.value(key, json())) continue;
    out.push_back(std::move(e));
  }
  // ValidateObjectMetaAccessorUpdate: these never change once the object exists.
  for (const char* f : {"name", "namespace", "uid", "creationTimestamp"}) {
    json now = md.contains(f) ? md[f] : json();
    json before = old.contains(f) ? old[f] : json();
    if (now != before)
      out.push_back(FieldError::invalid(std::string("metadata.") + f, now, kFieldImmutable));
  }
  return out;
}

}  // namespace ferrum::apiserver
