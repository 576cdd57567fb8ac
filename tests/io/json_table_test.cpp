// io::JsonTable (pandas orient="columns") and io::json_key.

#include <algorithm>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/testing.h"
#include "melclass/io/json_table.h"

using melclass::io::json_key;
using melclass::io::JsonTable;
using melclass::testing::TempDir;
using melclass::testing::write_text;
using nlohmann::json;

namespace {
JsonTable parse(const std::string& text) { return JsonTable::parse(text, "mem.json", "test"); }

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}
}  // namespace

TEST(JsonTable, PandasColumnLayout) {
  const auto t = parse(R"({"track_index": {"0": 17, "1": 42},
                           "station_name": {"0": "Q1", "1": "Q3"}})");
  EXPECT_EQ(t.rows(), 2u);
  EXPECT_EQ(sorted(t.columns()), (std::vector<std::string>{"station_name", "track_index"}));
  EXPECT_TRUE(t.has_column("station_name"));
  EXPECT_FALSE(t.has_column("genre"));
  EXPECT_EQ(t.at(0, "track_index"), 17);
  EXPECT_EQ(t.at(1, "track_index"), 42);
  EXPECT_EQ(t.at(0, "station_name"), "Q1");
  EXPECT_EQ(t.at(1, "station_name"), "Q3");
  EXPECT_EQ(t.index_key(0), "0");
  EXPECT_EQ(t.index_key(1), "1");
  EXPECT_EQ(t.source(), "mem.json");
}

TEST(JsonTable, RowsOrderedByIntegerIndexKey) {
  // Written in string order ("1" < "10" < "2"); rows must follow the integers.
  json j = {{"v", json::object()}};
  for (int i = 0; i <= 11; ++i) j["v"][std::to_string(i)] = i * 10;
  const auto t = parse(j.dump());
  ASSERT_EQ(t.rows(), 12u);
  for (size_t r = 0; r < t.rows(); ++r) {
    EXPECT_EQ(t.index_key(r), std::to_string(r));
    EXPECT_EQ(t.at(r, "v"), static_cast<int>(r) * 10);
  }
  // "9" comes before "10", and "10" right after "9".
  EXPECT_EQ(t.index_key(9), "9");
  EXPECT_EQ(t.index_key(10), "10");
}

TEST(JsonTable, NonNumericKeysAfterNumericInStringOrder) {
  const auto t = parse(R"({"a": {"b": 1, "10": 2, "a": 3, "2": 4, "007": 5}})");
  std::vector<std::string> keys;
  for (size_t r = 0; r < t.rows(); ++r) keys.push_back(t.index_key(r));
  EXPECT_EQ(keys, (std::vector<std::string>{"2", "007", "10", "a", "b"}));
}

TEST(JsonTable, MissingCellsAreNull) {
  const auto t = parse(R"({"a": {"0": 1, "1": 2, "2": 3}, "b": {"0": "x", "2": "z"},
                           "c": {"3": true}})");
  ASSERT_EQ(t.rows(), 4u);  // union of the columns' index keys
  EXPECT_EQ(t.at(1, "a"), 2);
  EXPECT_TRUE(t.at(1, "b").is_null());
  EXPECT_EQ(t.at(2, "b"), "z");
  EXPECT_TRUE(t.at(3, "a").is_null());
  EXPECT_EQ(t.at(3, "c"), true);
  EXPECT_TRUE(t.at(0, "no_such_column").is_null());
}

TEST(JsonTable, ExplicitNullAndNestedValuesKept) {
  const auto t = parse(R"({"a": {"0": null, "1": [47, 48]}, "b": {"0": {"k": 1.5}}})");
  EXPECT_TRUE(t.at(0, "a").is_null());
  EXPECT_EQ(t.at(1, "a"), json::array({47, 48}));
  EXPECT_EQ(t.at(0, "b")["k"], 1.5);
}

TEST(JsonTable, EmptyTables) {
  EXPECT_EQ(parse("{}").rows(), 0u);
  EXPECT_TRUE(parse("{}").columns().empty());
  const auto t = parse(R"({"a": {}})");
  EXPECT_EQ(t.rows(), 0u);
  EXPECT_EQ(t.columns(), std::vector<std::string>{"a"});
}

TEST(JsonTable, MalformedJsonNamesSource) {
  EXPECT_MELCLASS_ERROR(JsonTable::parse(R"({"a": {"0": 1)", "labels.json", "dataset"),
                        "dataset: labels.json: malformed JSON");
  EXPECT_MELCLASS_ERROR(JsonTable::parse("", "empty.json", "dataset"), "empty.json",
                        "malformed JSON");
  EXPECT_MELCLASS_ERROR(JsonTable::parse("{'a': {}}", "py.json", "meta"), "meta: py.json",
                        "malformed");
}

TEST(JsonErrorText, DropsNlohmannsExceptionId) {
  try {
    [[maybe_unused]] const json j = json::parse("{\"a\": ");
    FAIL() << "no parse error";
  } catch (const json::exception& e) {
    const std::string text = melclass::io::json_error_text(e);
    EXPECT_EQ(text.rfind("parse error at line 1", 0), 0u) << text;
    EXPECT_EQ(text.find("json.exception"), std::string::npos) << text;
  }
  try {
    [[maybe_unused]] const json& j = json::array().at("key");
    FAIL() << "no type error";
  } catch (const json::exception& e) {
    EXPECT_EQ(melclass::io::json_error_text(e), "cannot use at() with array");
  }
}

TEST(JsonTable, NonObjectDocumentOrColumnsThrow) {
  EXPECT_MELCLASS_ERROR(parse("[1, 2, 3]"), "mem.json", "expected a JSON object of columns");
  EXPECT_MELCLASS_ERROR(parse("42"), "expected a JSON object");
  EXPECT_MELCLASS_ERROR(parse(R"({"good": {"0": 1}, "track_index": [1, 2]})"), "mem.json",
                        "column 'track_index' is not an object");
  EXPECT_MELCLASS_ERROR(parse(R"({"a": "text"})"), "column 'a'");
  EXPECT_MELCLASS_ERROR(parse(R"({"a": null})"), "column 'a'");
}

TEST(JsonTable, LoadFromFile) {
  TempDir dir;
  const auto path = dir / "train_label";
  write_text(path, R"({"track_index": {"0": 5}, "genre": {"0": "R&B"}})");
  const auto t = JsonTable::load(path, "dataset");
  EXPECT_EQ(t.source(), path.string());
  EXPECT_EQ(t.at(0, "genre"), "R&B");
  EXPECT_MELCLASS_ERROR(JsonTable::load(dir / "missing.json", "metadata"),
                        "metadata: " + (dir / "missing.json").string() + ": ", "cannot open");
  write_text(dir / "bad.json", "{\"a\": ");
  EXPECT_MELCLASS_ERROR(JsonTable::load(dir / "bad.json", "metadata"), (dir / "bad.json").string(),
                        "malformed JSON");
}

TEST(JsonTable, KoreanAndJapaneseUtf8Survive) {
  TempDir dir;
  const std::string korean = "가요곡/엔카";
  const std::string japanese = "ロックンロール「夜」";
  const std::string mixed = "이규호(Kyo) feat. 宇多田ヒカル";
  json j = {{"title", {{"0", korean}, {"1", japanese}}}, {"artist", {{"0", mixed}}}};
  write_text(dir / "meta.json", j.dump());                                   // UTF-8 written as is
  write_text(dir / "escaped.json", j.dump(-1, ' ', /*ensure_ascii=*/true));  // \uXXXX escapes
  for (const char* name : {"meta.json", "escaped.json"}) {
    SCOPED_TRACE(name);
    const auto t = JsonTable::load(dir / name, "metadata");
    EXPECT_EQ(t.at(0, "title").get<std::string>(), korean);
    EXPECT_EQ(t.at(1, "title").get<std::string>(), japanese);
    EXPECT_EQ(t.at(0, "artist").get<std::string>(), mixed);
    EXPECT_EQ(t.at(0, "title").get<std::string>().size(), 16u);  // 5 Hangul x 3 bytes + '/'
  }
}

TEST(JsonTable, IndexByColumnValues) {
  const auto t = parse(R"({"album_index": {"0": 7, "1": "8", "2": 9.0, "3": null, "4": 2.5},
                           "x": {"0": 0}})");
  const auto index = t.index_by("album_index");
  EXPECT_EQ(index.size(), 3u);  // null and 2.5 are not keys
  EXPECT_EQ(index.at("7"), 0u);
  EXPECT_EQ(index.at("8"), 1u);
  EXPECT_EQ(index.at("9"), 2u);
  EXPECT_EQ(index.count("2.5"), 0u);
  EXPECT_TRUE(t.index_by("missing").empty());
}

TEST(JsonTable, IndexByKeepsFirstOfDuplicates) {
  const auto t = parse(R"({"id": {"0": 3, "1": 3}})");
  EXPECT_EQ(t.index_by("id").at("3"), 0u);
}

TEST(JsonKey, Integers) {
  EXPECT_EQ(json_key(json(17)), "17");
  EXPECT_EQ(json_key(json(0)), "0");
  EXPECT_EQ(json_key(json(-5)), "-5");
  EXPECT_EQ(json_key(json(1591331700000LL)), "1591331700000");
  EXPECT_EQ(json_key(json(std::numeric_limits<uint64_t>::max())), "18446744073709551615");
  EXPECT_EQ(json_key(json::parse("42")), "42");
}

TEST(JsonKey, Strings) {
  EXPECT_EQ(json_key(json("17")), "17");
  EXPECT_EQ(json_key(json("abc")), "abc");
  EXPECT_EQ(json_key(json("")), "");
  EXPECT_EQ(json_key(json("레게")), "레게");
}

TEST(JsonKey, Floats) {
  // pandas writes integer columns holding NaN as floats: 3.0 must match id 3.
  EXPECT_EQ(json_key(json(3.0)), "3");
  EXPECT_EQ(json_key(json::parse("1.0")), "1");
  EXPECT_EQ(json_key(json(-2.0)), "-2");
  EXPECT_EQ(json_key(json(2.5)), "");
  EXPECT_EQ(json_key(json(1e20)), "");
  EXPECT_EQ(json_key(json(std::numeric_limits<double>::quiet_NaN())), "");
  EXPECT_EQ(json_key(json(std::numeric_limits<double>::infinity())), "");
}

TEST(JsonKey, OtherTypesAreEmpty) {
  EXPECT_EQ(json_key(json()), "");
  EXPECT_EQ(json_key(json(true)), "");
  EXPECT_EQ(json_key(json::array({1})), "");
  EXPECT_EQ(json_key(json::object({{"a", 1}})), "");
}

// Error messages quote values through brief(): a 200,000-deep list (dump()
// recursed until the stack ran out) or a 10 MB string stay one short line.
TEST(JsonBrief, ShortForAnyValue) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  EXPECT_EQ(melclass::io::brief(nlohmann::json::parse(deep)), "a list of 1 items");
  EXPECT_EQ(melclass::io::brief(nlohmann::json{{"a", 1}, {"b", 2}}), "an object with 2 keys");
  EXPECT_EQ(melclass::io::brief(nlohmann::json(1.5)), "1.5");
  EXPECT_EQ(melclass::io::brief(nlohmann::json("ab"), 60), "\"ab\"");
  const std::string shown = melclass::io::brief(nlohmann::json(std::string(10000000, 'x')));
  EXPECT_EQ(shown.size(), 63u);
  EXPECT_EQ(shown.substr(60), "...");
}

// Input JSON nested deeper than kMaxJsonDepth is refused at parsing: copying
// such a value (a track's metadata) recursed until the stack ran out.
TEST(ParseJson, RefusesDeepNesting) {
  using melclass::io::kMaxJsonDepth;
  const auto nested = [](int n) { return std::string(n, '[') + std::string(n, ']'); };
  EXPECT_NO_THROW(melclass::io::parse_json(nested(kMaxJsonDepth), "ok.json"));
  EXPECT_MELCLASS_ERROR(melclass::io::parse_json(nested(200000), "deep.json"),
                        "json: deep.json: ", "nested deeper than 256 levels");
  EXPECT_THROW(melclass::io::parse_json("{\"a\": ", "bad.json"), nlohmann::json::parse_error);
}
