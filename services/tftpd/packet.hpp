#pragma once
// The TFTP packet codec (RFC 1350, options of RFC 2347/2348/2349/7440). Pure: no sockets.
//
// Contract: decode() never reads past the buffer and never throws; every malformed packet
// yields a DecodeError naming what is wrong. Option names are matched case-insensitively and
// returned lower-cased; the values of the options Ferrum knows (blksize, tsize, timeout,
// windowsize) are checked against their RFC ranges here, so the rest of the server only sees
// valid numbers. Unknown options are kept (name and value) but carry no meaning.
// The encode_* functions write into a caller's buffer and return the number of bytes
// written, or 0 when the buffer is too small.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ferrum::tftp {

enum class Opcode : std::uint16_t {
  kRrq = 1,
  kWrq = 2,
  kData = 3,
  kAck = 4,
  kError = 5,
  kOack = 6,
};

enum class ErrorCode : std::uint16_t {
  kNotDefined = 0,
  kFileNotFound = 1,
  kAccessViolation = 2,
  kDiskFull = 3,
  kIllegalOperation = 4,
  kUnknownTransferId = 5,
  kFileExists = 6,
  kNoSuchUser = 7,
  kOptionRefused = 8,
};

enum class Mode { kNetascii, kOctet };

// RFC ranges.
inline constexpr std::uint32_t kMinBlksize = 8;        // RFC 2348
inline constexpr std::uint32_t kMaxBlksize = 65464;    // RFC 2348
inline constexpr std::uint32_t kDefaultBlksize = 512;  // RFC 1350
inline constexpr std::uint32_t kMinTimeout = 1;        // RFC 2349, seconds
inline constexpr std::uint32_t kMaxTimeout = 255;
inline constexpr std::uint32_t kMinWindowsize = 1;  // RFC 7440
inline constexpr std::uint32_t kMaxWindowsize = 65535;
inline constexpr std::size_t kHeaderSize = 4;  // opcode + block number / error code

// The options of a request the server understands, already range-checked.
struct RequestedOptions {
  std::optional<std::uint32_t> blksize;
  std::optional<std::uint64_t> tsize;
  std::optional<std::uint32_t> timeout;
  std::optional<std::uint32_t> windowsize;
};

using OptionList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  Opcode opcode = Opcode::kRrq;  // kRrq or kWrq
  std::string filename;
  Mode mode = Mode::kOctet;
  RequestedOptions options;
  OptionList unknown_options;  // names lower-cased, in the order received
  // The known options in the order the client sent them (lower-cased names); an OACK
  // answers in the same order.
  std::vector<std::string> option_order;
};

struct Data {
  std::uint16_t block = 0;
  std::span<const std::uint8_t> payload;  // points into the decoded buffer
};

struct Ack {
  std::uint16_t block = 0;
};

struct Error {
  std::uint16_t code = 0;
  std::string message;
};

struct Oack {
  OptionList options;  // names lower-cased
};

using Packet = std::variant<Request, Data, Ack, Error, Oack>;

enum class DecodeErrorKind {
  kTooShort,      // fewer bytes than the opcode's fixed part
  kBadOpcode,     // not 1..6
  kUnterminated,  // a string field without its NUL
  kEmptyFilename,
  kBadMode,          // not netascii/octet (mail is obsolete and refused)
  kOptionNoValue,    // an option name without a value string
  kBadOptionValue,   // a known option whose value is not a number in its RFC range
  kDuplicateOption,  // the same option twice
  kTrailingBytes,    // bytes after a fixed-size packet
};

struct DecodeError {
  DecodeErrorKind kind;
  std::string message;
};

// Either the packet or why it is malformed.
struct DecodeResult {
  std::optional<Packet> packet;
  std::optional<DecodeError> error;
  explicit operator bool() const { return packet.has_value(); }
};

DecodeResult decode(std::span<const std::uint8_t> bytes);

// Which error code the server answers a malformed request with.
ErrorCode reply_code_for(DecodeErrorKind kind);

std::string_view opcode_name(Opcode op);
std::string_view error_code_name(ErrorCode code);
std::string_view mode_name(Mode mode);

// Writes opcode + block; the payload follows at out[4].
std::size_t encode_data_header(std::span<std::uint8_t> out, std::uint16_t block);
std::size_t encode_data(std::span<std::uint8_t> out, std::uint16_t block,
                        std::span<const std::uint8_t> payload);
std::size_t encode_ack(std::span<std::uint8_t> out, std::uint16_t block);
std::size_t encode_error(std::span<std::uint8_t> out, ErrorCode code, std::string_view message);
std::size_t encode_error(std::span<std::uint8_t> out, std::uint16_t code, std::string_view message);
std::size_t encode_oack(std::span<std::uint8_t> out, const OptionList& options);
// A request (client side: tests and the benchmark's load generator).
std::size_t encode_request(std::span<std::uint8_t> out, Opcode opcode, std::string_view filename,
                           Mode mode, const OptionList& options);

// Convenience for tests and clients: encodes into a fresh vector.
std::vector<std::uint8_t> encode_request(Opcode opcode, std::string_view filename, Mode mode,
                                         const OptionList& options);

}  // namespace ferrum::tftp
