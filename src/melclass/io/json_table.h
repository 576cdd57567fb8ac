#pragma once
// Tables stored as JSON in pandas' column layout (DataFrame.to_json(orient="columns")):
//   {"track_index": {"0": 17, "1": 42}, "station_name": {"0": "Q1", "1": "Q3"}}
// Rows are ordered by their index key read as an integer (the competition's
// data_idx), falling back to string order for non-numeric keys.

#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace melclass::io {

class JsonTable {
 public:
  /// Parses `path`; throws Error(component, path, ...) on unreadable or
  /// malformed JSON, or JSON that is not an object of column objects.
  static JsonTable load(const std::filesystem::path& path, const std::string& component);
  /// Same, from text already in memory; `source` names it in errors.
  static JsonTable parse(const std::string& text, const std::string& source,
                         const std::string& component);

  size_t rows() const { return index_keys_.size(); }
  const std::vector<std::string>& columns() const { return columns_; }
  bool has_column(const std::string& name) const;
  /// Value at (row, column); JSON null when the column lacks that row.
  const nlohmann::json& at(size_t row, const std::string& column) const;
  /// The index key of a row ("0", "1", ...).
  const std::string& index_key(size_t row) const { return index_keys_[row]; }
  /// Column -> row map for joins: value of `column` rendered as a key -> row.
  std::unordered_map<std::string, size_t> index_by(const std::string& column) const;
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::vector<std::string> columns_;
  std::vector<std::string> index_keys_;
  nlohmann::json data_;
};

/// Renders a JSON id (integer number or string) as a key; "" for other types.
std::string json_key(const nlohmann::json& value);

/// Deepest nesting parse_json accepts; melclass's own files need 4.
constexpr int kMaxJsonDepth = 256;

/// nlohmann::json::parse, refusing nesting deeper than kMaxJsonDepth with
/// Error("json", source, ...): copying or printing a 100,000-deep value
/// recurses until the stack runs out. Syntax errors stay nlohmann's
/// json::parse_error for the callers' "malformed JSON" messages.
nlohmann::json parse_json(const std::string& text, const std::string& source);

/// nlohmann's message without its "[json.exception.parse_error.101] " prefix,
/// for one-line user messages ("parse error at line 1, column 7: ...").
std::string json_error_text(const nlohmann::json::exception& e);

/// A JSON value for an error message: numbers, strings, booleans and null as
/// JSON text (cut to `max_chars`), lists and objects by their size only, so a
/// deeply nested or huge value never recurses or floods the message.
std::string brief(const nlohmann::json& value, size_t max_chars = 60);

}  // namespace melclass::io
