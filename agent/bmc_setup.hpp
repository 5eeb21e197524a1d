#pragma once
// In-band BMC setup over the system interface (/dev/ipmi0): find the LAN channel, read its
// IPv4 address, and create or reuse user `ferrum` with a given password, enabled, with
// administrator privilege on that channel. Raw IPMI 2.0 commands (IPMI v2.0 rev 1.1,
// sections 22.24, 22.26-22.30, 23.2) keep the agent free of freeipmi's fiid machinery; the
// request builders and response readers are pure and table-tested.
#include <cstdint>
#include <string>
#include <vector>

#include "ferrum/expected.hpp"

namespace ferrum::agent {

// One request/response exchange. Contract: returns the response data after the completion
// code, or an error naming the command and the completion code (or transport failure).
class Ipmi {
 public:
  virtual ~Ipmi() = default;
  virtual Expected<std::vector<std::uint8_t>, std::string> call(
      std::uint8_t netfn, std::uint8_t cmd, const std::vector<std::uint8_t>& data,
      const char* what) = 0;
};

inline constexpr std::uint8_t kNetFnApp = 0x06;
inline constexpr std::uint8_t kNetFnTransport = 0x0C;

namespace ipmi_msg {
// Get Channel Info: data[1] & 0x7F is the medium type; 0x04 = 802.3 LAN.
bool is_lan_channel(const std::vector<std::uint8_t>& channel_info);
// Get LAN Configuration Parameters, parameter 3 (IP address): revision byte then 4 bytes.
std::string ipv4_from_lan_param(const std::vector<std::uint8_t>& resp);
// Get User Name: 16 bytes, NUL padded.
std::string user_name(const std::vector<std::uint8_t>& resp);
// Get User Access: byte 0 bits 5:0 = maximum number of user IDs.
int max_user_ids(const std::vector<std::uint8_t>& resp);
std::vector<std::uint8_t> set_user_name(std::uint8_t user_id, const std::string& name);
// Set User Password operation 0x02 with a 20-byte password field (bit 7 of the id).
std::vector<std::uint8_t> set_user_password(std::uint8_t user_id, const std::string& password);
std::vector<std::uint8_t> enable_user(std::uint8_t user_id);
// Set User Access: change bits, IPMI messaging on, link auth on, privilege limit admin (4).
std::vector<std::uint8_t> set_user_access_admin(std::uint8_t channel, std::uint8_t user_id);
}  // namespace ipmi_msg

struct BmcCredentials {
  std::string ip;
  std::uint32_t port = 623;
  std::string user, pass;
  int user_id = 0;
  int channel = 0;
  bool reused = false;  // the `ferrum` user existed
};

// Errors name the step ("no LAN channel", "Set User Password (id 3): completion code 0xcc").
Expected<BmcCredentials, std::string> setup_bmc_user(Ipmi& ipmi, const std::string& user,
                                                     const std::string& password);

// 16 characters from [A-Za-z0-9] read from /dev/urandom (IPMI 2.0 allows 20 bytes; some
// BMCs reject more than 16 and some reject punctuation).
std::string random_password();

}  // namespace ferrum::agent
