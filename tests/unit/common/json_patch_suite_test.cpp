// Runs every non-disabled record of the public json-patch-tests conformance suite through
// ferrum::patch::apply_json_patch, one test case per record.

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "ferrum/patch.hpp"

namespace ferrum::patch {
namespace {

using json = nlohmann::json;

const char* const kSuiteFiles[] = {"tests.json", "spec_tests.json"};

std::string suite_path(const std::string& file) {
  return std::string(FERRUM_SOURCE_DIR) + "/tests/unit/common/testdata/json-patch-tests/" + file;
}

struct Record {
  std::string file;
  std::size_t index = 0;
  json data;
  std::string load_error;  // set when the suite could not be read: the case fails
};

// gtest_discover_tests puts the printed parameter into the ctest name: keep it short.
void PrintTo(const Record& record, std::ostream* os) {
  *os << record.file << "[" << record.index << "]";
}

// Reads one suite file; a missing or unreadable file is an error, never an empty list.
json read_suite(const std::string& file, std::string& error) {
  std::ifstream in(suite_path(file));
  if (!in) {
    error = "cannot open " + suite_path(file);
    return nullptr;
  }
  json data = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!data.is_array() || data.empty()) {
    error = suite_path(file) + " is not a non-empty JSON array";
    return nullptr;
  }
  return data;
}

bool is_disabled(const json& record) { return record.value("disabled", false); }

std::vector<Record> load_records() {
  std::vector<Record> records;
  for (const char* file : kSuiteFiles) {
    std::string error;
    json data = read_suite(file, error);
    if (!error.empty()) {
      records.push_back({file, 0, nullptr, error});
      continue;
    }
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (!is_disabled(data[i])) records.push_back({file, i, data[i], {}});
    }
  }
  return records;
}

std::string case_name(const testing::TestParamInfo<Record>& info) {
  std::string name =
      info.param.file.substr(0, info.param.file.find('.')) + "_" + std::to_string(info.param.index);
  if (!info.param.load_error.empty()) return name + "_LOAD_ERROR";
  std::string comment = info.param.data.value("comment", "");
  if (!comment.empty()) name += "_";
  for (char c : comment.substr(0, 60)) {
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  return name;
}

class JsonPatchSuite : public testing::TestWithParam<Record> {};

TEST_P(JsonPatchSuite, Record) {
  const Record& record = GetParam();
  ASSERT_TRUE(record.load_error.empty()) << record.load_error;
  const json& data = record.data;
  SCOPED_TRACE(record.file + " record " + std::to_string(record.index) + ": " + data.dump());
  ASSERT_TRUE(data.contains("doc"));
  ASSERT_TRUE(data.contains("patch"));
  const json doc = data.at("doc");
  const json before = doc;

  auto result = apply_json_patch(doc, data.at("patch"));
  // The in-place overload (on a copy it owns) must agree with the copying one.
  auto in_place = apply_json_patch(json(doc), data.at("patch"));
  ASSERT_EQ(in_place.has_value(), result.has_value());
  if (result.has_value()) {
    EXPECT_EQ(in_place.value(), result.value());
  } else {
    EXPECT_EQ(in_place.error().message(), result.error().message());
  }

  if (data.contains("error")) {
    ASSERT_FALSE(result.has_value())
        << "expected failure (" << data.at("error") << "), got " << result.value().dump();
    EXPECT_FALSE(result.error().reason.empty());
    EXPECT_EQ(doc, before) << "the input document changed";
    return;
  }
  ASSERT_TRUE(result.has_value()) << result.error().message();
  if (data.contains("expected")) {
    EXPECT_EQ(result.value(), data.at("expected"));
  }
  EXPECT_EQ(doc, before);
}

INSTANTIATE_TEST_SUITE_P(JsonPatchTests, JsonPatchSuite, testing::ValuesIn(load_records()),
                         case_name);

// The suite cannot shrink silently: every non-disabled record became a registered case (and
// ctest runs each registered case), and the files still hold the records SOURCE.md pins.
TEST(JsonPatchSuiteCoverage, EveryNonDisabledRecordIsACase) {
  std::size_t records = 0;
  std::size_t non_disabled = 0;
  for (const char* file : kSuiteFiles) {
    std::string error;
    json data = read_suite(file, error);
    ASSERT_TRUE(error.empty()) << error;
    records += data.size();
    for (const auto& record : data) non_disabled += is_disabled(record) ? 0 : 1;
  }
  EXPECT_EQ(records, 95u + 17u) << "SOURCE.md pins 95 + 17 records";

  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  std::size_t registered = 0;
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const testing::TestSuite& suite = *unit.GetTestSuite(i);
    if (std::string(suite.name()) == "JsonPatchTests/JsonPatchSuite") {
      registered = static_cast<std::size_t>(suite.total_test_count());
    }
  }
  EXPECT_EQ(registered, non_disabled);
  EXPECT_EQ(non_disabled, 108u);
}

}  // namespace
}  // namespace ferrum::patch
