#include "melclass/io/json_table.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"

namespace fs = std::filesystem;

namespace melclass::io {
namespace {

bool is_integer_key(const std::string& key) {
  return !key.empty() && key.size() < 19 &&
         std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool key_less(const std::string& a, const std::string& b) {
  const bool ia = is_integer_key(a), ib = is_integer_key(b);
  if (ia && ib) return std::stoll(a) < std::stoll(b);
  if (ia != ib) return ia;
  return a < b;
}

const nlohmann::json& null_json() {
  static const nlohmann::json kNull;
  return kNull;
}

}  // namespace

std::string json_key(const nlohmann::json& value) {
  if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15)
      return std::to_string(static_cast<long long>(d));
    return "";
  }
  if (value.is_string()) return value.get<std::string>();
  return "";
}

JsonTable JsonTable::load(const fs::path& path, const std::string& component) {
  std::string text;
  try {
    text = read_text_file(path);
  } catch (const Error& e) {
    throw Error(component, path.string(), e.message());
  }
  return parse(text, path.string(), component);
}

JsonTable JsonTable::parse(const std::string& text, const std::string& source,
                           const std::string& component) {
  JsonTable table;
  table.source_ = source;
  try {
    table.data_ = parse_json(text, source);
  } catch (const nlohmann::json::exception& e) {
    throw Error(component, source, "malformed JSON (" + json_error_text(e) + ")");
  }
  check(table.data_.is_object(), component, source,
        "expected a JSON object of columns (pandas orient='columns')");
  std::set<std::string, decltype(&key_less)> keys(&key_less);
  for (auto it = table.data_.begin(); it != table.data_.end(); ++it) {
    check(it.value().is_object(), component, source,
          "column '" + it.key() + "' is not an object of {index: value}");
    table.columns_.push_back(it.key());
    for (auto row = it.value().begin(); row != it.value().end(); ++row) keys.insert(row.key());
  }
  table.index_keys_.assign(keys.begin(), keys.end());
  return table;
}

bool JsonTable::has_column(const std::string& name) const { return data_.contains(name); }

const nlohmann::json& JsonTable::at(size_t row, const std::string& column) const {
  auto col = data_.find(column);
  if (col == data_.end()) return null_json();
  auto cell = col->find(index_keys_.at(row));
  return cell == col->end() ? null_json() : *cell;
}

std::unordered_map<std::string, size_t> JsonTable::index_by(const std::string& column) const {
  std::unordered_map<std::string, size_t> map;
  for (size_t r = 0; r < rows(); ++r) {
    const std::string key = json_key(at(r, column));
    if (!key.empty()) map.emplace(key, r);
  }
  return map;
}

nlohmann::json parse_json(const std::string& text, const std::string& source) {
  return nlohmann::json::parse(
      text, [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
        check(depth <= kMaxJsonDepth, "json", source,
              "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        return true;
      });
}

std::string json_error_text(const nlohmann::json::exception& e) {
  const std::string what = e.what();
  const size_t end = what.rfind("] ", what.find(' '));  // "[json.exception.x.N] text"
  return what.rfind("[json.exception.", 0) == 0 && end != std::string::npos ? what.substr(end + 2)
                                                                            : what;
}

std::string brief(const nlohmann::json& value, size_t max_chars) {
  if (value.is_array()) return "a list of " + std::to_string(value.size()) + " items";
  if (value.is_object()) return "an object with " + std::to_string(value.size()) + " keys";
  std::string text = value.dump();
  if (text.size() > max_chars) text = text.substr(0, max_chars) + "...";
  return text;
}

}  // namespace melclass::io
