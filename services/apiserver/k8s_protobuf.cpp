#include "k8s_protobuf.hpp"

#include <cstdint>
#include <functional>
#include <optional>

#include "ferrum/base64.hpp"
#include "ferrum/json_text.hpp"

namespace ferrum::apiserver {

namespace {

using json = nlohmann::json;

// A minimal protobuf wire reader: varints and length-delimited fields are all these
// messages use (fixed32/fixed64 are skipped correctly anyway).
class Reader {
 public:
  explicit Reader(std::string_view d) : d_(d) {}
  bool done() const { return pos_ >= d_.size(); }
  bool ok() const { return ok_; }

  std::optional<std::uint64_t> varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= d_.size()) return fail();
      auto b = static_cast<unsigned char>(d_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return fail();
  }

  // Reads one field: its number, wire type, and (for length-delimited) its bytes.
  bool next(std::uint32_t& field, std::uint32_t& wire, std::string_view& bytes, std::uint64_t& number) {
    auto key = varint();
    if (!key) return false;
    field = static_cast<std::uint32_t>(*key >> 3);
    wire = static_cast<std::uint32_t>(*key & 7);
    switch (wire) {
      case 0: {
        auto v = varint();
        if (!v) return false;
        number = *v;
        return true;
      }
      case 1:
        return skip(8);
      case 2: {
        auto len = varint();
        if (!len || *len > d_.size() - pos_) return fail().has_value();
        bytes = d_.substr(pos_, *len);
        pos_ += *len;
        return true;
      }
      case 5:
        return skip(4);
      default:
        return fail().has_value();
    }
  }

 private:
  std::optional<std::uint64_t> fail() {
    ok_ = false;
    return std::nullopt;
  }
  bool skip(std::size_t n) {
    if (n > d_.size() - pos_) return fail().has_value();
    pos_ += n;
    return true;
  }
  std::string_view d_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

using FieldFn = std::function<bool(std::uint32_t field, std::uint32_t wire, std::string_view bytes, std::uint64_t number)>;

// Walks every field of a message; false when the message is malformed.
bool each_field(std::string_view msg, const FieldFn& fn) {
  Reader r(msg);
  while (!r.done()) {
    std::uint32_t field = 0, wire = 0;
    std::string_view bytes;
    std::uint64_t number = 0;
    if (!r.next(field, wire, bytes, number)) return false;
    if (!fn(field, wire, bytes, number)) return false;
  }
  return r.ok();
}

// A map<string, X> entry: key = 1, value = 2.
bool map_entry(std::string_view entry, std::string& key, std::string& value) {
  return each_field(entry, [&](std::uint32_t f, std::uint32_t w, std::string_view b, std::uint64_t) {
    if (w == 2 && f == 1) key = std::string(b);
    if (w == 2 && f == 2) value = std::string(b);
    return true;
  });
}

std::string base64(std::string_view in) { return ferrum::base64::encode(in); }

bool decode_owner_reference(std::string_view msg, json& out) {
  return each_field(msg, [&](std::uint32_t f, std::uint32_t w, std::string_view b, std::uint64_t n) {
    if (w == 2 && f == 1) out["kind"] = std::string(b);
    if (w == 2 && f == 3) out["name"] = std::string(b);
    if (w == 2 && f == 4) out["uid"] = std::string(b);
    if (w == 2 && f == 5) out["apiVersion"] = std::string(b);
    if (w == 0 && f == 6) out["controller"] = n != 0;
    if (w == 0 && f == 7) out["blockOwnerDeletion"] = n != 0;
    return true;
  });
}

bool decode_object_meta(std::string_view msg, json& md) {
  md = json::object();
  return each_field(msg, [&](std::uint32_t f, std::uint32_t w, std::string_view b, std::uint64_t n) {
    auto str = [&](const char* k) {
      if (!b.empty()) md[k] = std::string(b);
    };
    if (w == 2) {
      switch (f) {
        case 1:
          str("name");
          break;
        case 2:
          str("generateName");
          break;
        case 3:
          str("namespace");
          break;
        case 5:
          str("uid");
          break;
        case 6:
          str("resourceVersion");
          break;
        case 11:
        case 12: {
          std::string k, v;
          if (!map_entry(b, k, v)) return false;
          md[f == 11 ? "labels" : "annotations"][k] = v;
          break;
        }
        case 13: {
          json ref = json::object();
          if (!decode_owner_reference(b, ref)) return false;
          md["ownerReferences"].push_back(ref);
          break;
        }
        case 14:
          md["finalizers"].push_back(std::string(b));
          break;
        default:
          break;  // timestamps, managedFields: the server sets these
      }
    } else if (w == 0 && f == 7 && n != 0) {
      md["generation"] = n;
    }
    return true;
  });
}

}  // namespace

namespace {
Expected<json, std::string> decode(std::string_view body) {
  static constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic) return unexpected(std::string("protobuf body lacks the k8s magic prefix"));
  std::string api_version, kind, encoding;
  std::string_view raw;
  bool ok = each_field(body.substr(4), [&](std::uint32_t f, std::uint32_t w, std::string_view b, std::uint64_t) {
    if (w != 2) return true;
    if (f == 1) {
      return each_field(b, [&](std::uint32_t tf, std::uint32_t tw, std::string_view tb, std::uint64_t) {
        if (tw == 2 && tf == 1) api_version = std::string(tb);
        if (tw == 2 && tf == 2) kind = std::string(tb);
        return true;
      });
    }
    if (f == 2) raw = b;
    if (f == 3) encoding = std::string(b);
    return true;
  });
  if (!ok) return unexpected(std::string("protobuf body is truncated or malformed"));
  if (!encoding.empty()) return unexpected("protobuf contentEncoding \"" + encoding + "\" is not supported");
  if (api_version != "v1" || (kind != "Secret" && kind != "ConfigMap" && kind != "Namespace")) {
    return unexpected("protobuf bodies are accepted for v1 Secret, ConfigMap and Namespace only, got " +
                      api_version + " " + kind + ": send JSON");
  }
  json obj = {{"apiVersion", api_version}, {"kind", kind}, {"metadata", json::object()}};
  ok = each_field(raw, [&](std::uint32_t f, std::uint32_t w, std::string_view b, std::uint64_t n) {
    if (f == 1 && w == 2) return decode_object_meta(b, obj["metadata"]);
    if (kind == "Secret") {
      if (w == 2 && (f == 2 || f == 4)) {
        std::string k, v;
        if (!map_entry(b, k, v)) return false;
        if (f == 2) {
          obj["data"][k] = base64(v);
        } else {
          obj["stringData"][k] = v;
        }
      }
      if (w == 2 && f == 3 && !b.empty()) obj["type"] = std::string(b);
      if (w == 0 && f == 5) obj["immutable"] = n != 0;
    } else if (kind == "ConfigMap") {
      if (w == 2 && (f == 2 || f == 3)) {
        std::string k, v;
        if (!map_entry(b, k, v)) return false;
        if (f == 2) {
          obj["data"][k] = v;
        } else {
          obj["binaryData"][k] = base64(v);
        }
      }
      if (w == 0 && f == 4) obj["immutable"] = n != 0;
    } else if (kind == "Namespace" && w == 2 && f == 2) {
      obj["spec"] = json::object();
      return each_field(b, [&](std::uint32_t sf, std::uint32_t sw, std::string_view sb, std::uint64_t) {
        if (sw == 2 && sf == 1) obj["spec"]["finalizers"].push_back(std::string(sb));
        return true;
      });
    }
    return true;
  });
  if (!ok) return unexpected(kind + " protobuf message is truncated or malformed");
  return obj;
}
}  // namespace

Expected<json, ProtobufError> decode_k8s_protobuf(std::string_view body) {
  auto obj = decode(body);
  if (!obj) return unexpected(ProtobufError{false, std::move(obj.error())});
  // Protobuf string fields are bytes on the wire; nothing downstream can store or serialise
  // text that is not UTF-8 (JSON and YAML bodies are refused for it too). Found by
  // tests/fuzz k8s_protobuf_fuzz.
  if (!json_text::all_utf8(*obj)) {
    return unexpected(
        ProtobufError{true, (*obj)["kind"].get<std::string>() +
                                " protobuf message has a string that is not valid UTF-8"});
  }
  return std::move(*obj);
}

}  // namespace ferrum::apiserver
