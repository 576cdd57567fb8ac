#include "melclass/text/featurizer.h"

#include <algorithm>
#include <cstring>

#include <ATen/ops/empty.h>

#include "melclass/core/error.h"

namespace melclass::text {
namespace {

using nlohmann::json;

// 64-bit FNV-1a (Fowler, Noll & Vo; parameters from the IETF draft
// draft-eastlake-fnv, "The FNV Non-Cryptographic Hash Algorithm"), then the
// 64-bit finaliser of MurmurHash3 (Appleby, fmix64) so that every output bit
// depends on every input bit before the modulo. Fixed constants, no seed:
// ids are the same on every run and machine.
constexpr uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr uint64_t kFnvPrime = 1099511628211ULL;

inline uint64_t fnv_byte(uint64_t h, uint8_t b) { return (h ^ b) * kFnvPrime; }

inline uint64_t fnv_code_point(uint64_t h, char32_t c) {  // 4 bytes, little-endian
  for (int k = 0; k < 4; ++k) h = fnv_byte(h, static_cast<uint8_t>(c >> (8 * k)));
  return h;
}

inline uint64_t fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h;
}

// Feature kinds, hashed after the field name so that the same text seen as a
// whole value, a word or an n-gram gives different ids.
constexpr uint8_t kWhole = 'v', kWord = 'w', kCharGram = 'c', kJamoGram = 'j';
constexpr uint8_t kValueShape = 'S', kWordShape = 's';
constexpr char32_t kBegin = U'<', kEnd = U'>';  // token boundary marks (fastText)

uint64_t field_salt(const std::string& name) {
  uint64_t h = kFnvOffset;
  for (char c : name) h = fnv_byte(h, static_cast<uint8_t>(c));
  return fnv_byte(h, 0);  // end of name: "ab"+"c..." != "a"+"bc..."
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// track_index, album_index, artist_index_list, ...: identifiers, not text.
bool skipped_key(const std::string& key) {
  return ends_with(key, "index") || ends_with(key, "_index_list");
}

bool has_hangul(std::u32string_view s) {
  return std::any_of(s.begin(), s.end(), is_hangul_syllable);
}

// The shape classes a value contains, in a fixed order: "Aa" (mixed-case Latin),
// "A0" (capitals and digits), "hkc" (hiragana, katakana, kanji), ...
std::u32string value_signature(std::u32string_view cased) {
  static constexpr std::u32string_view kClasses = U"Aa0hkcgo";
  bool seen[kClasses.size()] = {};
  for (char32_t c : cased) {
    const size_t k = kClasses.find(shape_class(c));
    if (k != std::u32string_view::npos) seen[k] = true;
  }
  std::u32string out;
  for (size_t k = 0; k < kClasses.size(); ++k)
    if (seen[k]) out.push_back(kClasses[k]);
  return out;
}

}  // namespace

Featurizer::Featurizer(FeaturizerOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  check(o.buckets >= 2, "text", "", "buckets must be at least 2 (id 0 is reserved)");
  check(o.max_n >= 0 && o.max_n <= 32, "text", "", "max_n must be in [0, 32] (0: no n-grams)");
  check(o.max_n == 0 || (o.min_n >= 1 && o.min_n <= o.max_n), "text", "",
        "min_n must be in [1, max_n]");
  check(o.max_n > 0 || o.words || o.whole_values || o.shapes, "text", "",
        "no features enabled (max_n 0, words, whole_values and shapes off)");
  check(!o.hangul_jamo || o.max_n > 0, "text", "",
        "hangul_jamo needs character n-grams (max_n > 0)");
  for (const auto& f : o.fields) check(!f.empty(), "text", "", "empty field name in 'fields'");
}

std::vector<int64_t> Featurizer::features(const json& meta) const {
  std::vector<int64_t> out;
  if (!meta.is_object()) return out;
  if (options_.fields.empty()) {
    for (const auto& [key, value] : meta.items()) add_field(key, value, out);
  } else {
    for (const auto& key : options_.fields) {
      auto it = meta.find(key);
      if (it != meta.end()) add_field(key, *it, out);
    }
  }
  return out;
}

void Featurizer::add_field(const std::string& name, const json& value,
                           std::vector<int64_t>& out) const {
  if (skipped_key(name)) return;
  if (value.is_string()) {
    add_value(field_salt(name), value.get_ref<const std::string&>(), out);
    return;
  }
  if (value.is_array()) {
    const uint64_t salt = field_salt(name);
    for (const auto& e : value) {
      if (e.is_string()) {
        add_value(salt, e.get_ref<const std::string&>(), out);
      } else if (e.is_object()) {  // "artists": [{"artist_name": ..., "country": ...}]
        for (const auto& [key, sub] : e.items())
          if (sub.is_string() || sub.is_array()) add_field(name + "." + key, sub, out);
      }
    }
    return;
  }
  if (value.is_object()) {
    for (const auto& [key, sub] : value.items())
      if (sub.is_string() || sub.is_array()) add_field(name + "." + key, sub, out);
  }
  // numbers, booleans, null: not text
}

void Featurizer::add_value(uint64_t salt, const std::string& value,
                           std::vector<int64_t>& out) const {
  // `cased` and `text` differ only by to_lower, one code point for one, so a
  // token has the same position in both.
  const std::u32string cased = fold_width_and_space(decode_utf8(value));
  if (cased.empty()) return;
  std::u32string text = cased;
  for (char32_t& c : text) c = to_lower(c);
  if (options_.whole_values) out.push_back(id(salt, kWhole, text));
  if (options_.shapes) out.push_back(id(salt, kValueShape, value_signature(cased)));
  size_t start = 0;
  while (start < text.size()) {  // whitespace tokens; single spaces only after folding
    size_t end = text.find(U' ', start);
    if (end == std::u32string::npos) end = text.size();
    const auto token = std::u32string_view(text).substr(start, end - start);
    if (options_.words) add_words(salt, token, out);
    if (options_.shapes)
      out.push_back(
          id(salt, kWordShape, word_shape(std::u32string_view(cased).substr(start, end - start))));
    if (options_.max_n > 0) add_ngrams(salt, token, out);
    start = end + 1;
  }
}

void Featurizer::add_words(uint64_t salt, std::u32string_view token,
                           std::vector<int64_t>& out) const {
  size_t w = 0;  // the token split further at punctuation
  while (w < token.size()) {
    while (w < token.size() && is_punct(token[w])) ++w;
    size_t e = w;
    while (e < token.size() && !is_punct(token[e])) ++e;
    if (e > w) out.push_back(id(salt, kWord, token.substr(w, e - w)));
    w = e;
  }
}

void Featurizer::add_ngrams(uint64_t salt, std::u32string_view token,
                            std::vector<int64_t>& out) const {
  auto grams = [&](uint8_t kind, std::u32string_view body) {
    std::u32string framed;
    framed.reserve(body.size() + 2);
    framed.push_back(kBegin);
    framed.append(body);
    framed.push_back(kEnd);
    const size_t len = framed.size();
    const uint64_t base = fnv_byte(salt, kind);
    for (size_t i = 0; i < len; ++i) {
      uint64_t h = base;
      for (size_t n = 1; n <= static_cast<size_t>(options_.max_n) && i + n <= len; ++n) {
        h = fnv_code_point(h, framed[i + n - 1]);  // h covers framed[i, i + n)
        if (n < static_cast<size_t>(options_.min_n)) continue;
        if (n == 1 && (i == 0 || i == len - 1)) continue;  // a lone boundary mark
        out.push_back(to_id(h));
      }
    }
  };
  grams(kCharGram, token);
  if (options_.hangul_jamo && has_hangul(token)) grams(kJamoGram, decompose_hangul(token));
}

int64_t Featurizer::to_id(uint64_t hash) const {
  return static_cast<int64_t>(1 + fmix64(hash) % static_cast<uint64_t>(options_.buckets - 1));
}

int64_t Featurizer::id(uint64_t salt, uint8_t kind, std::u32string_view s) const {
  uint64_t h = fnv_byte(salt, kind);
  for (char32_t c : s) h = fnv_code_point(h, c);
  return to_id(h);
}

std::pair<at::Tensor, at::Tensor> pack_bags(const std::vector<std::vector<int64_t>>& bags) {
  size_t total = 0;
  for (const auto& b : bags) total += b.size();
  at::Tensor ids = at::empty({static_cast<int64_t>(total)}, at::kLong);
  at::Tensor offsets = at::empty({static_cast<int64_t>(bags.size())}, at::kLong);
  int64_t* id_data = ids.data_ptr<int64_t>();
  int64_t* offset_data = offsets.data_ptr<int64_t>();
  int64_t pos = 0;
  for (size_t i = 0; i < bags.size(); ++i) {
    offset_data[i] = pos;
    if (!bags[i].empty())
      std::memcpy(id_data + pos, bags[i].data(), bags[i].size() * sizeof(int64_t));
    pos += static_cast<int64_t>(bags[i].size());
  }
  return {ids, offsets};
}

}  // namespace melclass::text
