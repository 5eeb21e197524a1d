#include "table.hpp"

#include <cctype>
#include <cstdint>
#include <cstdlib>

#include "ferrum/json_text.hpp"

namespace ferrum::apiserver {

namespace {

// --- JSONPath subset -------------------------------------------------------------------------
// What additionalPrinterColumns use in practice (kubebuilder markers, the CRDs Ferrum ships):
// fields with `\.` escapes (label keys such as cluster\.x-k8s\.io/cluster-name), indexes,
// [*], slices and [?(@.field==literal)] filters. Recursive descent (..) and unions are not
// supported and make the path select nothing.

struct Filter {
  std::vector<std::string> path;  // relative to @
  enum class Op { kExists, kEq, kNe, kLt, kLe, kGt, kGe } op = Op::kExists;
  json literal;
};

struct Step {
  enum class Kind { kField, kIndex, kWildcard, kSlice, kFilter } kind = Kind::kField;
  std::string field;
  long index = 0;
  std::optional<long> slice_begin, slice_end;
  Filter filter;
};

struct ParsedPath {
  std::vector<Step> steps;
  bool multi = false;  // selects a list of matches rather than one value
};

// Reads a field name up to an unescaped '.', '[' or one of `stops`; `\x` is a literal x.
std::string read_name(std::string_view s, std::size_t& i, std::string_view stops = "") {
  std::string out;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      out += s[i + 1];
      i += 2;
      continue;
    }
    if (c == '.' || c == '[' || stops.find(c) != std::string_view::npos) break;
    out += c;
    ++i;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<long> parse_long(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (std::size_t k = i; k < s.size(); ++k) {
    if (!std::isdigit(static_cast<unsigned char>(s[k]))) return std::nullopt;
  }
  return std::strtol(std::string(s).c_str(), nullptr, 10);
}

std::optional<json> parse_literal(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    return json(std::string(s.substr(1, s.size() - 2)));
  }
  if (s == "true") return json(true);
  if (s == "false") return json(false);
  if (s == "null") return json(nullptr);
  auto parsed = json::parse(s, nullptr, false);
  if (parsed.is_number()) return parsed;
  return std::nullopt;
}

std::optional<Filter> parse_filter(std::string_view body) {
  // body is what is inside [?( ... )]
  body = trim(body);
  if (body.empty() || body[0] != '@') return std::nullopt;
  Filter f;
  std::size_t i = 1;
  while (i < body.size() && body[i] == '.') {
    ++i;
    std::string name = read_name(body, i, " =!<>");
    if (name.empty()) return std::nullopt;
    f.path.push_back(std::move(name));
  }
  std::string_view rest = trim(body.substr(i));
  if (rest.empty()) return f;  // existence test
  static const std::pair<std::string_view, Filter::Op> ops[] = {
      {"==", Filter::Op::kEq}, {"!=", Filter::Op::kNe}, {"<=", Filter::Op::kLe},
      {">=", Filter::Op::kGe}, {"<", Filter::Op::kLt},  {">", Filter::Op::kGt}};
  for (const auto& [text, op] : ops) {
    if (rest.substr(0, text.size()) == text) {
      auto lit = parse_literal(rest.substr(text.size()));
      if (!lit) return std::nullopt;
      f.op = op;
      f.literal = std::move(*lit);
      return f;
    }
  }
  return std::nullopt;
}

// Finds the ']' closing the bracket opened at s[open], skipping quoted strings.
std::size_t closing_bracket(std::string_view s, std::size_t open) {
  char quote = 0;
  int depth = 0;
  for (std::size_t i = open; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::optional<ParsedPath> parse_jsonpath(std::string_view path) {
  path = trim(path);
  if (path.size() >= 2 && path.front() == '{' && path.back() == '}') {
    path = trim(path.substr(1, path.size() - 2));
  }
  ParsedPath out;
  if (path.empty()) return std::nullopt;
  if (path == ".") return out;  // the object itself
  std::size_t i = 0;
  // kubectl accepts a leading '$' for the root.
  if (path[0] == '$') i = 1;
  while (i < path.size()) {
    Step step;
    if (path[i] == '.') {
      ++i;
      if (i < path.size() && path[i] == '.') return std::nullopt;  // recursive descent
      if (i < path.size() && path[i] == '*') {
        step.kind = Step::Kind::kWildcard;
        out.multi = true;
        ++i;
      } else {
        step.field = read_name(path, i);
        if (step.field.empty()) return std::nullopt;
      }
    } else if (path[i] == '[') {
      std::size_t close = closing_bracket(path, i);
      if (close == std::string_view::npos) return std::nullopt;
      std::string_view body = trim(path.substr(i + 1, close - i - 1));
      i = close + 1;
      if (body == "*") {
        step.kind = Step::Kind::kWildcard;
        out.multi = true;
      } else if (!body.empty() && body[0] == '?') {
        body = trim(body.substr(1));
        if (body.size() < 2 || body.front() != '(' || body.back() != ')') return std::nullopt;
        auto f = parse_filter(body.substr(1, body.size() - 2));
        if (!f) return std::nullopt;
        step.kind = Step::Kind::kFilter;
        step.filter = std::move(*f);
        out.multi = true;
      } else if (body.size() >= 2 && (body[0] == '\'' || body[0] == '"') &&
                 body.back() == body[0]) {
        step.field = std::string(body.substr(1, body.size() - 2));
      } else if (auto colon = body.find(':'); colon != std::string_view::npos) {
        std::string_view b = trim(body.substr(0, colon));
        std::string_view e = trim(body.substr(colon + 1));
        if (e.find(':') != std::string_view::npos) return std::nullopt;  // no step
        step.kind = Step::Kind::kSlice;
        if (!b.empty()) {
          step.slice_begin = parse_long(b);
          if (!step.slice_begin) return std::nullopt;
        }
        if (!e.empty()) {
          step.slice_end = parse_long(e);
          if (!step.slice_end) return std::nullopt;
        }
        out.multi = true;
      } else {
        auto idx = parse_long(body);
        if (!idx) return std::nullopt;  // unions and expressions are not supported
        step.kind = Step::Kind::kIndex;
        step.index = *idx;
      }
    } else {
      return std::nullopt;
    }
    out.steps.push_back(std::move(step));
  }
  return out;
}

const json* walk(const json& v, const std::vector<std::string>& fields) {
  const json* cur = &v;
  for (const auto& f : fields) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(f);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

bool filter_matches(const Filter& f, const json& element) {
  const json* v = walk(element, f.path);
  if (v == nullptr) return false;
  switch (f.op) {
    case Filter::Op::kExists:
      return true;
    case Filter::Op::kEq:
      return *v == f.literal;
    case Filter::Op::kNe:
      return *v != f.literal;
    default:
      break;
  }
  if (!v->is_number() || !f.literal.is_number()) return false;
  double a = v->get<double>(), b = f.literal.get<double>();
  switch (f.op) {
    case Filter::Op::kLt:
      return a < b;
    case Filter::Op::kLe:
      return a <= b;
    case Filter::Op::kGt:
      return a > b;
    case Filter::Op::kGe:
      return a >= b;
    default:
      return false;
  }
}

std::vector<const json*> find_results(const json& obj, const ParsedPath& path) {
  std::vector<const json*> cur{&obj};
  for (const auto& step : path.steps) {
    std::vector<const json*> next;
    for (const json* v : cur) {
      switch (step.kind) {
        case Step::Kind::kField:
          if (v->is_object()) {
            auto it = v->find(step.field);
            if (it != v->end()) next.push_back(&*it);
          }
          break;
        case Step::Kind::kIndex:
          if (v->is_array()) {
            long n = static_cast<long>(v->size());
            long idx = step.index < 0 ? n + step.index : step.index;
            if (idx >= 0 && idx < n) next.push_back(&(*v)[static_cast<std::size_t>(idx)]);
          }
          break;
        case Step::Kind::kWildcard:
          if (v->is_array() || v->is_object()) {
            for (const auto& item : *v) next.push_back(&item);
          }
          break;
        case Step::Kind::kSlice:
          if (v->is_array()) {
            long n = static_cast<long>(v->size());
            auto clamp = [n](long x) { return x < 0 ? std::max(0L, n + x) : std::min(n, x); };
            long b = step.slice_begin ? clamp(*step.slice_begin) : 0;
            long e = step.slice_end ? clamp(*step.slice_end) : n;
            for (long k = b; k < e; ++k) next.push_back(&(*v)[static_cast<std::size_t>(k)]);
          }
          break;
        case Step::Kind::kFilter:
          if (v->is_array()) {
            for (const auto& item : *v) {
              if (filter_matches(step.filter, item)) next.push_back(&item);
            }
          }
          break;
      }
    }
    cur = std::move(next);
    if (cur.empty()) break;
  }
  return cur;
}

// --- Cells -----------------------------------------------------------------------------------

// RFC 3339 (what metav1.Time marshals to); nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view s) {
  auto digits = [&](std::size_t at, std::size_t n) -> std::optional<int> {
    if (at + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t k = at; k < at + n; ++k) {
      if (!std::isdigit(static_cast<unsigned char>(s[k]))) return std::nullopt;
      v = v * 10 + (s[k] - '0');
    }
    return v;
  };
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2);
  auto h = digits(11, 2), mi = digits(14, 2), se = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !se || *h > 23 || *mi > 59 || *se > 60) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(*y), std::chrono::month(unsigned(*mo)),
                                  std::chrono::day(unsigned(*d))};
  if (!ymd.ok()) return std::nullopt;
  std::size_t i = 19;
  std::chrono::nanoseconds frac{0};
  if (i < s.size() && s[i] == '.') {
    ++i;
    long long scale = 100000000;
    std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      frac += std::chrono::nanoseconds((s[i] - '0') * scale);
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  std::chrono::seconds offset{0};
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    auto oh = digits(i + 1, 2), om = digits(i + 4, 2);
    if (!oh || !om || i + 3 >= s.size() || s[i + 3] != ':') return std::nullopt;
    offset = std::chrono::hours(*oh) + std::chrono::minutes(*om);
    if (s[i] == '-') offset = -offset;
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  auto tp = std::chrono::sys_days(ymd) + std::chrono::hours(*h) + std::chrono::minutes(*mi) +
            std::chrono::seconds(*se) + frac - offset;
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(tp);
}

// jsonpath's PrintResults: strings as they are, maps and lists as compact JSON, other scalars
// as their text.
std::string print_value(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return json_text::dump(v);
}

// The CRD table convertor's cellForJSONValue, plus its string-column branch.
json cell(const PrinterColumn& col, const json& v, std::chrono::system_clock::time_point now) {
  if (v.is_null()) return nullptr;
  if (col.type == "string") return print_value(v);
  if (col.type == "integer") {
    if (v.is_number_integer()) return v;
    if (v.is_number_float()) return static_cast<std::int64_t>(v.get<double>());
    return nullptr;
  }
  if (col.type == "number") {
    if (v.is_number()) return v.get<double>();
    return nullptr;
  }
  if (col.type == "boolean") return v.is_boolean() ? v : json(nullptr);
  if (col.type == "date") {
    if (!v.is_string()) return nullptr;
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() || s == "null") return "<unknown>";
    auto t = parse_rfc3339(s);
    if (!t) return "<invalid>";
    // metav1.Time's zero value marshals as 0001-01-01T00:00:00Z.
    if (*t == std::chrono::sys_days(std::chrono::year(1) / 1 / 1)) return "<unknown>";
    return human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
  }
  return nullptr;
}

const char* kNameDescription =
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

const char* kAgeDescription =
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.";

}  // namespace

std::optional<json> eval_jsonpath(const json& obj, std::string_view path) {
  auto parsed = parse_jsonpath(path);
  if (!parsed) return std::nullopt;
  auto results = find_results(obj, *parsed);
  if (results.empty()) return std::nullopt;
  if (!parsed->multi) return *results.front();
  json out = json::array();
  for (const json* r : results) out.push_back(*r);
  return out;
}

std::string human_duration(std::chrono::seconds d) {
  // k8s.io/apimachinery/pkg/util/duration.HumanDuration: about two significant figures, and a
  // second of clock skew into the future still reads as "0s".
  const long long seconds = d.count();
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return std::to_string(seconds) + "s";
  const long long minutes = seconds / 60;
  if (minutes < 10) {
    long long s = seconds % 60;
    return std::to_string(minutes) + "m" + (s == 0 ? "" : std::to_string(s) + "s");
  }
  if (minutes < 60 * 3) return std::to_string(minutes) + "m";
  const long long hours = seconds / 3600;
  if (hours < 8) {
    long long m = minutes % 60;
    return std::to_string(hours) + "h" + (m == 0 ? "" : std::to_string(m) + "m");
  }
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) {
    long long h = hours % 24;
    return std::to_string(hours / 24) + "d" + (h == 0 ? "" : std::to_string(h) + "h");
  }
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    long long dy = (hours / 24) % 365;
    return std::to_string(hours / 24 / 365) + "y" + (dy == 0 ? "" : std::to_string(dy) + "d");
  }
  return std::to_string(hours / 24 / 365) + "y";
}

json render_table(const ResourceType& type, const ResourceVersion& version,
                  const std::vector<json>& objects, const TableOptions& opts) {
  (void)type;
  std::vector<PrinterColumn> columns = version.columns;
  if (columns.empty()) {
    // What apiextensions defaults additionalPrinterColumns to, and what built-ins without a
    // printer of their own show.
    columns.push_back({"Age", "date", "", kAgeDescription, ".metadata.creationTimestamp", 0});
  }
  json defs = json::array();
  defs.push_back({{"name", "Name"},
                  {"type", "string"},
                  {"format", "name"},
                  {"description", kNameDescription},
                  {"priority", 0}});
  std::vector<std::optional<ParsedPath>> paths;
  for (const auto& c : columns) {
    std::string desc =
        c.description.empty()
            ? "Custom resource definition column (in JSONPath format): " + c.json_path
            : c.description;
    defs.push_back({{"name", c.name},
                    {"type", c.type},
                    {"format", c.format},
                    {"description", desc},
                    {"priority", c.priority}});
    paths.push_back(parse_jsonpath(c.json_path));
  }

  json rows = json::array();
  for (const auto& obj : objects) {
    const json* name = walk(obj, {"metadata", "name"});
    json cells = json::array();
    cells.push_back(name && name->is_string() ? *name : json(""));
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (!paths[i]) {
        cells.push_back(nullptr);
        continue;
      }
      auto results = find_results(obj, *paths[i]);
      // Like the real convertor, a path selecting several values shows the first.
      cells.push_back(results.empty() ? json(nullptr)
                                      : cell(columns[i], *results.front(), opts.now));
    }
    json row = {{"cells", std::move(cells)}};
    switch (opts.include) {
      case IncludeObject::kNone:
        break;
      case IncludeObject::kMetadata:
        row["object"] = {
            {"kind", "PartialObjectMetadata"},
            {"apiVersion", "meta.k8s.io/v1"},
            {"metadata", obj.is_object() ? obj.value("metadata", json::object()) : json::object()}};
        break;
      case IncludeObject::kObject:
        row["object"] = obj;
        break;
    }
    rows.push_back(std::move(row));
  }

  json meta = json::object();
  if (!opts.resource_version.empty()) meta["resourceVersion"] = opts.resource_version;
  if (!opts.continue_token.empty()) meta["continue"] = opts.continue_token;
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", std::move(meta)},
          {"columnDefinitions", std::move(defs)},
          {"rows", std::move(rows)}};
}

}  // namespace ferrum::apiserver
