#pragma once
// Text side of melclass: track metadata (titles, artist and album names, genre
// tags, lyrics) -> bags of hashed feature ids for a fastText-style classifier
// (Joulin et al. 2017, "Bag of Tricks for Efficient Text Classification").
//
// Features per text value: the value whole, its words, and character n-grams of
// each whitespace-separated token framed by boundary marks ('<' token '>', as in
// fastText's subword n-grams, Bojanowski et al. 2017), optionally also over Hangul
// decomposed into jamo. Each feature is hashed together with its field name by a
// fixed 64-bit hash, so ids are identical across runs, machines and library
// versions, and need no vocabulary file.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "melclass/text/unicode.h"

namespace melclass::text {

struct FeaturizerOptions {
  /// Hash space; ids are in [1, buckets) (0 reserved).
  int64_t buckets = 1 << 18;
  /// Character n-gram lengths (on code points, with word-boundary marks); max_n 0: none.
  int min_n = 1, max_n = 4;
  /// Also whole-word tokens (split on whitespace/punctuation).
  bool words = true;
  /// Also each field value whole (an artist name, an album title, a genre).
  bool whole_values = true;
  /// Also n-grams over Hangul syllables decomposed into jamo (Unicode algorithm).
  bool hangul_jamo = false;
  /// Also word shapes of the text before lowercasing (per token, e.g. "Aaa", "AA00",
  /// "kk", "cchh") and one signature per value (the shape classes it contains:
  /// "Aa", "A", "hkc"): case and script, shared across artists and titles.
  bool shapes = true;
  /// Meta keys to use, in this order; empty = every string / list-of-strings field.
  std::vector<std::string> fields;
};

class Featurizer {
 public:
  /// Validates the options; throws melclass::Error("text", "", ...).
  explicit Featurizer(FeaturizerOptions options);

  /// meta: a track's metadata object -> hashed feature ids (duplicates kept: counts
  /// matter). The field name salts the hash (a title n-gram != the same n-gram in an
  /// album). Keys ending in "index"/"_index_list" and non-text values (numbers,
  /// booleans, null) are skipped; lists of strings are flattened; lists of objects
  /// (e.g. "artists") contribute each object's string fields as "<key>.<subkey>".
  /// A non-object `meta` (null) gives no features.
  std::vector<int64_t> features(const nlohmann::json& meta) const;

  const FeaturizerOptions& options() const { return options_; }

 private:
  void add_field(const std::string& name, const nlohmann::json& value,
                 std::vector<int64_t>& out) const;
  void add_value(uint64_t salt, const std::string& value, std::vector<int64_t>& out) const;
  void add_words(uint64_t salt, std::u32string_view token, std::vector<int64_t>& out) const;
  void add_ngrams(uint64_t salt, std::u32string_view token, std::vector<int64_t>& out) const;
  int64_t to_id(uint64_t hash) const;
  int64_t id(uint64_t salt, uint8_t kind, std::u32string_view s) const;

  FeaturizerOptions options_;
};

/// Per-track id lists -> (ids [N] int64, offsets [B] int64) for torch::nn::EmbeddingBag.
/// An empty bag is allowed (EmbeddingBag gives it a zero vector in mean mode).
std::pair<at::Tensor, at::Tensor> pack_bags(const std::vector<std::vector<int64_t>>& bags);

}  // namespace melclass::text
