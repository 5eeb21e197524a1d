#include "ferrum/flags.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <sstream>

namespace ferrum::flags {

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text == "0") return std::chrono::milliseconds(0);
  double total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    if (start == i) return std::nullopt;
    double number = 0;
    auto [ptr, ec] = std::from_chars(text.data() + start, text.data() + i, number);
    if (ec != std::errc() || ptr != text.data() + i) return std::nullopt;
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60'000;
    } else if (unit == "h") {
      scale = 3'600'000;
    } else {
      return std::nullopt;  // a bare number is ambiguous: require a unit
    }
    total_ms += number * scale;
  }
  if (total_ms > 1e15) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(total_ms + 0.5));
}

std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  auto s = ms / 1000;
  if (s >= 3600) {
    out += std::to_string(s / 3600) + "h";
    s %= 3600;
  }
  if (s >= 60) {
    out += std::to_string(s / 60) + "m";
    s %= 60;
  }
  if (s > 0) out += std::to_string(s) + "s";
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

FlagSet::FlagSet(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

void FlagSet::add(Flag f) {
  // Declaring a flag twice is a programming error in the daemon's table.
  if (find(f.name) != nullptr || f.name == "help" || f.name == "version") std::abort();
  flags_.push_back(std::move(f));
}

const FlagSet::Flag* FlagSet::find(std::string_view name) const {
  for (const auto& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string FlagSet::env_name(std::string_view flag) {
  std::string out = "FERRUM_";
  for (char c : flag) {
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string FlagSet::closest(std::string_view unknown) const {
  std::string best;
  std::size_t best_d = std::string::npos;
  auto consider = [&](const std::string& name) {
    std::size_t d = edit_distance(unknown, name);
    if (d < best_d) {
      best_d = d;
      best = name;
    }
  };
  for (const auto& f : flags_) consider(f.name);
  consider("help");
  consider("version");
  // Suggest only when the typo is plausible: at most a third of the name wrong.
  if (best_d > std::max<std::size_t>(2, unknown.size() / 3)) return {};
  return best;
}

void FlagSet::add_string(const std::string& name, std::string* target, std::string def,
                         std::string help) {
  *target = def;
  add({name, std::move(help), def.empty() ? "\"\"" : def, "string", false,
       [target](const std::string& v) -> std::optional<std::string> {
         *target = v;
         return std::nullopt;
       }});
}

static std::optional<bool> parse_bool(std::string_view v) {
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  return std::nullopt;
}

void FlagSet::add_bool(const std::string& name, bool* target, bool def, std::string help) {
  *target = def;
  add({name, std::move(help), def ? "true" : "false", "bool", true,
       [target](const std::string& v) -> std::optional<std::string> {
         auto b = parse_bool(v);
         if (!b) return "want true or false, got \"" + v + "\"";
         *target = *b;
         return std::nullopt;
       }});
}

void FlagSet::add_int(const std::string& name, std::int64_t* target, std::int64_t def,
                      std::string help, std::int64_t min, std::int64_t max) {
  *target = def;
  add({name, std::move(help), std::to_string(def), "int", false,
       [target, min, max](const std::string& v) -> std::optional<std::string> {
         std::int64_t n = 0;
         auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
         if (ec != std::errc() || ptr != v.data() + v.size() || v.empty()) {
           return "want an integer, got \"" + v + "\"";
         }
         if (n < min || n > max) {
           return "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                  ", got " + v;
         }
         *target = n;
         return std::nullopt;
       }});
}

void FlagSet::add_duration(const std::string& name, std::chrono::milliseconds* target,
                           std::chrono::milliseconds def, std::string help) {
  *target = def;
  add({name, std::move(help), format_duration(def), "duration", false,
       [target](const std::string& v) -> std::optional<std::string> {
         auto d = parse_duration(v);
         if (!d) return "want a duration such as 500ms, 30s, 5m or 1h30m, got \"" + v + "\"";
         *target = *d;
         return std::nullopt;
       }});
}

void FlagSet::add_choice(const std::string& name, std::string* target, std::string def,
                         std::vector<std::string> choices, std::string help) {
  *target = def;
  std::string hint;
  for (const auto& c : choices) hint += (hint.empty() ? "" : "|") + c;
  add({name, std::move(help), def, hint, false,
       [target, choices, hint](const std::string& v) -> std::optional<std::string> {
         if (std::find(choices.begin(), choices.end(), v) == choices.end()) {
           return "want one of " + hint + ", got \"" + v + "\"";
         }
         *target = v;
         return std::nullopt;
       }});
}

void FlagSet::add_list(const std::string& name, std::vector<std::string>* target,
                       std::vector<std::string> def, std::string help) {
  *target = def;
  std::string def_text;
  for (const auto& d : def) def_text += (def_text.empty() ? "" : ",") + d;
  // The first explicit value replaces the default; later ones append (repeatable flag).
  auto replaced = std::make_shared<bool>(false);
  add({name, std::move(help), def_text.empty() ? "\"\"" : def_text, "a,b,...", false,
       [target, replaced](const std::string& v) -> std::optional<std::string> {
         if (!*replaced) {
           target->clear();
           *replaced = true;
         }
         std::stringstream ss(v);
         std::string item;
         while (std::getline(ss, item, ',')) {
           if (!item.empty()) target->push_back(item);
         }
         return std::nullopt;
       }});
}

ParseResult FlagSet::parse(int argc, const char* const* argv, const EnvLookup& env) const {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return parse(args, env);
}

ParseResult FlagSet::parse(const std::vector<std::string>& args, const EnvLookup& env) const {
  ParseResult result;
  auto fail = [&](std::string msg) {
    result.outcome = Outcome::kError;
    result.message = program_ + ": " + std::move(msg);
    return result;
  };

  std::map<std::string, std::vector<std::string>> given;  // flag -> values from argv
  bool only_positional = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positional || arg.size() < 2 || arg[0] != '-') {
      if (!positional_) return fail("unexpected argument \"" + arg + "\" (this program takes flags only)");
      result.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::optional<std::string> inline_value;
    if (auto eq = body.find('='); eq != std::string::npos) {
      inline_value = body.substr(eq + 1);
      body = body.substr(0, eq);
    }
    if (body == "help" || body == "h") {
      result.outcome = Outcome::kHelp;
      result.message = usage();
      return result;
    }
    if (body == "version") {
      result.outcome = Outcome::kVersion;
      result.message = program_ + " " FERRUM_VERSION "\n";
      return result;
    }
    const Flag* flag = find(body);
    if (flag == nullptr) {
      std::string msg = "unknown flag --" + body;
      if (auto near = closest(body); !near.empty()) msg += " (did you mean --" + near + "?)";
      return fail(msg + "; see --help");
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (flag->is_bool) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return fail("flag --" + body + " needs a value (" + flag->value_hint + ")");
    }
    given[flag->name].push_back(value);
  }

  for (const auto& flag : flags_) {
    if (auto it = given.find(flag.name); it != given.end()) {
      for (const auto& v : it->second) {
        if (auto err = flag.set(v)) return fail("invalid value for --" + flag.name + ": " + *err);
      }
    } else if (auto v = env(env_name(flag.name))) {
      if (auto err = flag.set(*v)) {
        return fail("invalid value in environment variable " + env_name(flag.name) +
                    " (flag --" + flag.name + "): " + *err);
      }
    }
  }
  return result;
}

std::string FlagSet::usage() const {
  std::ostringstream out;
  out << "Usage: " << program_ << " [flags]" << (positional_ ? " " + *positional_ : "") << "\n\n"
      << summary_ << "\n\nFlags (each also read from the environment variable shown):\n";
  for (const auto& f : flags_) {
    out << "  --" << f.name << " " << f.value_hint << "\n";
    // Wrap help text at ~76 columns under the flag name.
    std::istringstream words(f.help);
    std::string word, line = "      ";
    while (words >> word) {
      if (line.size() + word.size() + 1 > 80 && line.size() > 6) {
        out << line << "\n";
        line = "      ";
      }
      line += (line.size() > 6 ? " " : "") + word;
    }
    if (line.size() > 6) out << line << "\n";
    out << "      default: " << f.default_text << "   env: " << env_name(f.name) << "\n";
  }
  out << "  --help\n      Print this help and exit.\n  --version\n      Print the version and exit.\n";
  return out.str();
}

}  // namespace ferrum::flags
