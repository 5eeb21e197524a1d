#include "bmc_setup.hpp"

#include <fstream>

namespace ferrum::agent {

namespace ipmi_msg {

bool is_lan_channel(const std::vector<std::uint8_t>& r) {
  return r.size() >= 2 && (r[1] & 0x7F) == 0x04;
}

std::string ipv4_from_lan_param(const std::vector<std::uint8_t>& r) {
  if (r.size() < 5) return {};
  return std::to_string(r[1]) + "." + std::to_string(r[2]) + "." + std::to_string(r[3]) + "." +
         std::to_string(r[4]);
}

std::string user_name(const std::vector<std::uint8_t>& r) {
  std::string out;
  for (std::size_t i = 0; i < r.size() && i < 16 && r[i] != 0; ++i) {
    out.push_back(static_cast<char>(r[i]));
  }
  return out;
}

int max_user_ids(const std::vector<std::uint8_t>& r) { return r.empty() ? 0 : (r[0] & 0x3F); }

std::vector<std::uint8_t> set_user_name(std::uint8_t user_id, const std::string& name) {
  std::vector<std::uint8_t> d(17, 0);
  d[0] = user_id & 0x3F;
  for (std::size_t i = 0; i < name.size() && i < 16; ++i)
    d[1 + i] = static_cast<std::uint8_t>(name[i]);
  return d;
}

std::vector<std::uint8_t> set_user_password(std::uint8_t user_id, const std::string& password) {
  std::vector<std::uint8_t> d(22, 0);
  d[0] = static_cast<std::uint8_t>(0x80 | (user_id & 0x3F));
  d[1] = 0x02;  // set password
  for (std::size_t i = 0; i < password.size() && i < 20; ++i) {
    d[2 + i] = static_cast<std::uint8_t>(password[i]);
  }
  return d;
}

std::vector<std::uint8_t> enable_user(std::uint8_t user_id) {
  return {static_cast<std::uint8_t>(user_id & 0x3F), 0x01};
}

std::vector<std::uint8_t> set_user_access_admin(std::uint8_t channel, std::uint8_t user_id) {
  return {static_cast<std::uint8_t>(0x80 | 0x20 | 0x10 | (channel & 0x0F)),
          static_cast<std::uint8_t>(user_id & 0x3F), 0x04, 0x00};
}

}  // namespace ipmi_msg

Expected<BmcCredentials, std::string> setup_bmc_user(Ipmi& ipmi, const std::string& user,
                                                     const std::string& password) {
  BmcCredentials c;
  c.user = user;
  c.pass = password;
  // Channel numbers 1..11 are implementation-specific media; the first 802.3 LAN one wins.
  for (std::uint8_t ch = 1; ch <= 11 && c.channel == 0; ++ch) {
    auto info = ipmi.call(kNetFnApp, 0x42, {ch}, "Get Channel Info");
    if (info && ipmi_msg::is_lan_channel(*info)) c.channel = ch;
  }
  if (c.channel == 0) return unexpected(std::string("no LAN channel on the BMC (channels 1-11)"));
  auto ch = static_cast<std::uint8_t>(c.channel);
  auto ip = ipmi.call(kNetFnTransport, 0x02, {ch, 0x03, 0x00, 0x00},
                      "Get LAN Configuration Parameters (IP address)");
  if (!ip) return unexpected(ip.error());
  c.ip = ipmi_msg::ipv4_from_lan_param(*ip);
  auto access = ipmi.call(kNetFnApp, 0x44, {ch, 0x01}, "Get User Access");
  if (!access) return unexpected(access.error());
  int max_ids = ipmi_msg::max_user_ids(*access);
  // User 1 is the anonymous (null) user by specification; never take it over.
  int free_id = 0;
  for (int id = 2; id <= max_ids && c.user_id == 0; ++id) {
    auto name = ipmi.call(kNetFnApp, 0x46, {static_cast<std::uint8_t>(id)}, "Get User Name");
    if (!name) continue;
    std::string n = ipmi_msg::user_name(*name);
    if (n == user) {
      c.user_id = id;
      c.reused = true;
    } else if (n.empty() && free_id == 0) {
      free_id = id;
    }
  }
  if (c.user_id == 0) c.user_id = free_id;
  if (c.user_id == 0) {
    return unexpected("no free user slot on the BMC (ids 2-" + std::to_string(max_ids) + ")");
  }
  auto id = static_cast<std::uint8_t>(c.user_id);
  std::string sid = " (id " + std::to_string(c.user_id) + ")";
  if (!c.reused) {
    auto r = ipmi.call(kNetFnApp, 0x45, ipmi_msg::set_user_name(id, user), "Set User Name");
    if (!r) return unexpected(r.error() + sid);
  }
  auto r =
      ipmi.call(kNetFnApp, 0x47, ipmi_msg::set_user_password(id, password), "Set User Password");
  if (!r) return unexpected(r.error() + sid);
  r = ipmi.call(kNetFnApp, 0x43, ipmi_msg::set_user_access_admin(ch, id), "Set User Access");
  if (!r) return unexpected(r.error() + sid);
  r = ipmi.call(kNetFnApp, 0x47, ipmi_msg::enable_user(id), "Set User Password (enable)");
  if (!r) return unexpected(r.error() + sid);
  return c;
}

std::string random_password() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::ifstream in("/dev/urandom", std::ios::binary);
  std::string out;
  while (out.size() < 16) {
    unsigned char b = 0;
    in.read(reinterpret_cast<char*>(&b), 1);
    if (!in) break;
    if (b >= 248) continue;  // 248 = 62 * 4: keeps the choice uniform
    out.push_back(kAlphabet[b % 62]);
  }
  return out;
}

}  // namespace ferrum::agent
