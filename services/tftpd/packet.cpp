#include "packet.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace ferrum::tftp {
namespace {

std::uint16_t get16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}

void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v & 0xff);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

DecodeResult fail(DecodeErrorKind kind, std::string message) {
  DecodeResult r;
  r.error = DecodeError{kind, std::move(message)};
  return r;
}

DecodeResult ok(Packet p) {
  DecodeResult r;
  r.packet = std::move(p);
  return r;
}

// Reads NUL-terminated strings from a byte range.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool done() const { return pos_ >= bytes_.size(); }
  // The next string, or nothing when no NUL ends it.
  std::optional<std::string_view> next() {
    const auto* begin = bytes_.data() + pos_;
    const auto* end = bytes_.data() + bytes_.size();
    const auto* nul = std::find(begin, end, std::uint8_t{0});
    if (nul == end) return std::nullopt;
    std::string_view s(reinterpret_cast<const char*>(begin), static_cast<std::size_t>(nul - begin));
    pos_ = static_cast<std::size_t>(nul - bytes_.data()) + 1;
    return s;
  }
  std::span<const std::uint8_t> rest() const { return bytes_.subspan(pos_); }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

std::optional<std::uint64_t> parse_number(std::string_view s, std::uint64_t min,
                                          std::uint64_t max) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  if (v < min || v > max) return std::nullopt;
  return v;
}

// Reads option/value pairs until the end. Trailing NUL padding after the last pair (sent by
// some ROMs) is tolerated; anything else is an error.
std::optional<DecodeError> read_options(Reader& r, OptionList& out) {
  while (!r.done()) {
    auto name = r.next();
    if (!name) return DecodeError{DecodeErrorKind::kUnterminated, "option name without NUL"};
    if (name->empty()) {
      auto rest = r.rest();
      if (std::all_of(rest.begin(), rest.end(), [](std::uint8_t b) { return b == 0; })) {
        return std::nullopt;
      }
      return DecodeError{DecodeErrorKind::kTrailingBytes, "bytes after an empty option name"};
    }
    if (r.done()) {
      return DecodeError{DecodeErrorKind::kOptionNoValue,
                         "option \"" + std::string(*name) + "\" has no value"};
    }
    auto value = r.next();
    if (!value) {
      return DecodeError{DecodeErrorKind::kUnterminated,
                         "value of option \"" + std::string(*name) + "\" without NUL"};
    }
    out.emplace_back(lower(*name), std::string(*value));
  }
  return std::nullopt;
}

DecodeResult decode_request(Opcode op, std::span<const std::uint8_t> body) {
  Reader r(body);
  auto filename = r.next();
  if (!filename) return fail(DecodeErrorKind::kUnterminated, "filename without NUL");
  if (filename->empty()) return fail(DecodeErrorKind::kEmptyFilename, "empty filename");
  auto mode = r.next();
  if (!mode) return fail(DecodeErrorKind::kUnterminated, "mode without NUL");
  Request req;
  req.opcode = op;
  req.filename = std::string(*filename);
  std::string m = lower(*mode);
  if (m == "octet") {
    req.mode = Mode::kOctet;
  } else if (m == "netascii") {
    req.mode = Mode::kNetascii;
  } else {
    return fail(DecodeErrorKind::kBadMode, "unsupported mode \"" + std::string(*mode) + "\"");
  }
  OptionList all;
  if (auto err = read_options(r, all)) return fail(err->kind, std::move(err->message));
  auto& o = req.options;
  for (auto& entry : all) {
    // Named references, not a structured binding: clang 14 cannot capture those in lambdas.
    const std::string& name = entry.first;
    std::string& value = entry.second;
    auto known = [&](auto& slot, std::uint64_t min,
                     std::uint64_t max) -> std::optional<DecodeError> {
      if (slot)
        return DecodeError{DecodeErrorKind::kDuplicateOption,
                           "option \"" + name + "\" given twice"};
      auto v = parse_number(value, min, max);
      if (!v) {
        return DecodeError{DecodeErrorKind::kBadOptionValue,
                           "option \"" + name + "\" value \"" + value.substr(0, 32) +
                               "\" is not a number in " + std::to_string(min) + ".." +
                               std::to_string(max)};
      }
      slot = static_cast<std::remove_reference_t<decltype(*slot)>>(*v);
      req.option_order.push_back(name);
      return std::nullopt;
    };
    std::optional<DecodeError> err;
    if (name == "blksize") {
      err = known(o.blksize, kMinBlksize, kMaxBlksize);
    } else if (name == "tsize") {
      err = known(o.tsize, 0, static_cast<std::uint64_t>(INT64_MAX));
    } else if (name == "timeout") {
      err = known(o.timeout, kMinTimeout, kMaxTimeout);
    } else if (name == "windowsize") {
      err = known(o.windowsize, kMinWindowsize, kMaxWindowsize);
    } else {
      req.unknown_options.emplace_back(name, std::move(value));
    }
    if (err) return fail(err->kind, std::move(err->message));
  }
  return ok(std::move(req));
}

}  // namespace

DecodeResult decode(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 2) return fail(DecodeErrorKind::kTooShort, "packet shorter than an opcode");
  std::uint16_t raw = get16(bytes.data());
  auto body = bytes.subspan(2);
  switch (raw) {
    case 1:
    case 2:
      return decode_request(static_cast<Opcode>(raw), body);
    case 3: {
      if (body.size() < 2) return fail(DecodeErrorKind::kTooShort, "DATA without a block number");
      return ok(Data{get16(body.data()), body.subspan(2)});
    }
    case 4: {
      // Bytes after the block number are ignored: harmless, and some ROMs pad.
      if (body.size() < 2) return fail(DecodeErrorKind::kTooShort, "ACK without a block number");
      return ok(Ack{get16(body.data())});
    }
    case 5: {
      if (body.size() < 2) return fail(DecodeErrorKind::kTooShort, "ERROR without an error code");
      Error e;
      e.code = get16(body.data());
      auto text = body.subspan(2);
      // A missing NUL is tolerated: the transfer ends either way, and the text helps logs.
      auto nul = std::find(text.begin(), text.end(), std::uint8_t{0});
      e.message.assign(reinterpret_cast<const char*>(text.data()),
                       static_cast<std::size_t>(nul - text.begin()));
      return ok(std::move(e));
    }
    case 6: {
      Reader r(body);
      Oack o;
      if (auto err = read_options(r, o.options)) return fail(err->kind, std::move(err->message));
      return ok(std::move(o));
    }
    default:
      return fail(DecodeErrorKind::kBadOpcode, "unknown opcode " + std::to_string(raw));
  }
}

ErrorCode reply_code_for(DecodeErrorKind kind) {
  switch (kind) {
    case DecodeErrorKind::kBadOptionValue:
    case DecodeErrorKind::kDuplicateOption:
    case DecodeErrorKind::kOptionNoValue:
      return ErrorCode::kOptionRefused;
    default:
      return ErrorCode::kIllegalOperation;
  }
}

std::string_view opcode_name(Opcode op) {
  switch (op) {
    case Opcode::kRrq:
      return "RRQ";
    case Opcode::kWrq:
      return "WRQ";
    case Opcode::kData:
      return "DATA";
    case Opcode::kAck:
      return "ACK";
    case Opcode::kError:
      return "ERROR";
    case Opcode::kOack:
      return "OACK";
  }
  return "?";
}

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotDefined:
      return "not defined";
    case ErrorCode::kFileNotFound:
      return "file not found";
    case ErrorCode::kAccessViolation:
      return "access violation";
    case ErrorCode::kDiskFull:
      return "disk full";
    case ErrorCode::kIllegalOperation:
      return "illegal TFTP operation";
    case ErrorCode::kUnknownTransferId:
      return "unknown transfer ID";
    case ErrorCode::kFileExists:
      return "file already exists";
    case ErrorCode::kNoSuchUser:
      return "no such user";
    case ErrorCode::kOptionRefused:
      return "option negotiation refused";
  }
  return "?";
}

std::string_view mode_name(Mode mode) { return mode == Mode::kOctet ? "octet" : "netascii"; }

std::size_t encode_data_header(std::span<std::uint8_t> out, std::uint16_t block) {
  if (out.size() < kHeaderSize) return 0;
  put16(out.data(), static_cast<std::uint16_t>(Opcode::kData));
  put16(out.data() + 2, block);
  return kHeaderSize;
}

std::size_t encode_data(std::span<std::uint8_t> out, std::uint16_t block,
                        std::span<const std::uint8_t> payload) {
  if (out.size() < kHeaderSize + payload.size()) return 0;
  encode_data_header(out, block);
  if (!payload.empty()) std::memcpy(out.data() + kHeaderSize, payload.data(), payload.size());
  return kHeaderSize + payload.size();
}

std::size_t encode_ack(std::span<std::uint8_t> out, std::uint16_t block) {
  if (out.size() < kHeaderSize) return 0;
  put16(out.data(), static_cast<std::uint16_t>(Opcode::kAck));
  put16(out.data() + 2, block);
  return kHeaderSize;
}

std::size_t encode_error(std::span<std::uint8_t> out, std::uint16_t code,
                         std::string_view message) {
  // A NUL inside the message would truncate it on the wire: cut there.
  message = message.substr(0, message.find('\0'));
  std::size_t n = kHeaderSize + message.size() + 1;
  if (out.size() < n) return 0;
  put16(out.data(), static_cast<std::uint16_t>(Opcode::kError));
  put16(out.data() + 2, code);
  std::memcpy(out.data() + kHeaderSize, message.data(), message.size());
  out[n - 1] = 0;
  return n;
}

std::size_t encode_error(std::span<std::uint8_t> out, ErrorCode code, std::string_view message) {
  return encode_error(out, static_cast<std::uint16_t>(code), message);
}

namespace {
// Appends "s\0"; false when it does not fit.
bool put_string(std::span<std::uint8_t> out, std::size_t& pos, std::string_view s) {
  if (s.find('\0') != std::string_view::npos) return false;
  if (out.size() < pos + s.size() + 1) return false;
  std::memcpy(out.data() + pos, s.data(), s.size());
  pos += s.size();
  out[pos++] = 0;
  return true;
}
}  // namespace

std::size_t encode_oack(std::span<std::uint8_t> out, const OptionList& options) {
  if (out.size() < 2) return 0;
  put16(out.data(), static_cast<std::uint16_t>(Opcode::kOack));
  std::size_t pos = 2;
  for (const auto& [name, value] : options) {
    if (!put_string(out, pos, name) || !put_string(out, pos, value)) return 0;
  }
  return pos;
}

std::size_t encode_request(std::span<std::uint8_t> out, Opcode opcode, std::string_view filename,
                           Mode mode, const OptionList& options) {
  if (out.size() < 2) return 0;
  put16(out.data(), static_cast<std::uint16_t>(opcode));
  std::size_t pos = 2;
  if (!put_string(out, pos, filename) || !put_string(out, pos, mode_name(mode))) return 0;
  for (const auto& [name, value] : options) {
    if (!put_string(out, pos, name) || !put_string(out, pos, value)) return 0;
  }
  return pos;
}

std::vector<std::uint8_t> encode_request(Opcode opcode, std::string_view filename, Mode mode,
                                         const OptionList& options) {
  std::vector<std::uint8_t> buf(4 + filename.size() + 16 + [&] {
    std::size_t n = 0;
    for (const auto& [k, v] : options) n += k.size() + v.size() + 2;
    return n;
  }());
  buf.resize(encode_request(buf, opcode, filename, mode, options));
  return buf;
}

}  // namespace ferrum::tftp
