#pragma once
// Command-line flags with environment fallbacks, one table per daemon.
//
// Contract:
// - Each flag is declared once with its default and help text (the daemon's table of
//   defaults). A value comes from, in order: the command line (`--name=value` or
//   `--name value`; booleans also as bare `--name`), then the environment variable
//   FERRUM_<NAME> (upper case, dashes as underscores), then the default.
// - Unknown flags are rejected, naming the closest valid flag. Bad values are rejected
//   naming the flag and, when it came from the environment, the variable.
// - `--help` prints usage with every flag, its default and environment variable;
//   `--version` prints the version. parse() reports which happened; it never exits.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferrum::flags {

// Reads an environment variable; injectable so tests don't touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

enum class Outcome { kRun, kHelp, kVersion, kError };

struct ParseResult {
  Outcome outcome = Outcome::kRun;
  std::string message;  // usage for kHelp, version for kVersion, the error for kError
  std::vector<std::string> positional;
};

// Parses durations the way Go and Kubernetes write them: "1h30m", "20m", "5s", "250ms".
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::string format_duration(std::chrono::milliseconds d);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

class FlagSet {
 public:
  FlagSet(std::string program, std::string summary);

  // Each add_* binds a flag to a variable; the variable's current value is NOT used:
  // `def` is the default and is written into the variable right away.
  void add_string(const std::string& name, std::string* target, std::string def,
                  std::string help);
  void add_bool(const std::string& name, bool* target, bool def, std::string help);
  void add_int(const std::string& name, std::int64_t* target, std::int64_t def,
               std::string help, std::int64_t min, std::int64_t max);
  void add_duration(const std::string& name, std::chrono::milliseconds* target,
                    std::chrono::milliseconds def, std::string help);
  // A string restricted to a set of values.
  void add_choice(const std::string& name, std::string* target, std::string def,
                  std::vector<std::string> choices, std::string help);
  // A repeatable/comma-separated list.
  void add_list(const std::string& name, std::vector<std::string>* target,
                std::vector<std::string> def, std::string help);

  // Accept positional arguments (default: rejected).
  void allow_positional(std::string what) { positional_ = std::move(what); }

  ParseResult parse(int argc, const char* const* argv, const EnvLookup& env) const;
  ParseResult parse(const std::vector<std::string>& args, const EnvLookup& env) const;

  std::string usage() const;
  static std::string env_name(std::string_view flag);
  // The flag the user most likely meant, or empty when nothing is close.
  std::string closest(std::string_view unknown) const;

 private:
  struct Flag {
    std::string name;
    std::string help;
    std::string default_text;
    std::string value_hint;
    bool is_bool = false;
    // Parses and stores; returns an error description on bad input.
    std::function<std::optional<std::string>(const std::string&)> set;
  };
  void add(Flag f);
  const Flag* find(std::string_view name) const;

  std::string program_;
  std::string summary_;
  std::optional<std::string> positional_;
  std::vector<Flag> flags_;
};

}  // namespace ferrum::flags
