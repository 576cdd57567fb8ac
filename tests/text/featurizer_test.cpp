// text: hashed metadata features and bag packing.

#include <algorithm>
#include <set>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/testing.h"
#include "melclass/text/featurizer.h"

using namespace melclass::text;
using nlohmann::json;

namespace {

FeaturizerOptions ngrams_only(int min_n, int max_n) {
  FeaturizerOptions o;
  o.min_n = min_n;
  o.max_n = max_n;
  o.words = false;
  o.whole_values = false;
  o.shapes = false;
  return o;
}

std::vector<int64_t> featurize(const FeaturizerOptions& o, const json& meta) {
  return Featurizer(o).features(meta);
}

std::set<int64_t> distinct(const std::vector<int64_t>& ids) { return {ids.begin(), ids.end()}; }

json title(const std::string& s) { return json{{"track_title", s}}; }

}  // namespace

TEST(Featurizer, CharNgramCountsByHand) {
  // "<ab>": 1-grams a b (a lone boundary mark is no feature), 2-grams <a ab b>,
  // 3-grams <ab ab>, 4-gram <ab>: 2 + 3 + 2 + 1.
  EXPECT_EQ(featurize(ngrams_only(1, 4), title("ab")).size(), 8u);
  EXPECT_EQ(featurize(ngrams_only(2, 3), title("ab")).size(), 5u);
  // "<aa>" 1-grams: a, a -> the same id twice (counts are kept).
  const auto aa = featurize(ngrams_only(1, 1), title("aa"));
  ASSERT_EQ(aa.size(), 2u);
  EXPECT_EQ(aa[0], aa[1]);
  // "<aa>" 2-grams: <a aa a> -> 3 different ids.
  EXPECT_EQ(distinct(featurize(ngrams_only(2, 2), title("aa"))).size(), 3u);
  // Tokens are n-grammed separately: "ab  AB" -> "ab ab" -> twice the 8 of "ab".
  const auto twice = featurize(ngrams_only(1, 4), title("ab  AB"));
  EXPECT_EQ(twice.size(), 16u);
  EXPECT_EQ(distinct(twice), distinct(featurize(ngrams_only(1, 4), title("ab"))));
  // Code points, not bytes: "한글" is 2 code points -> <한 한글 글> for n = 2.
  EXPECT_EQ(featurize(ngrams_only(2, 2), title("한글")).size(), 3u);
}

TEST(Featurizer, WordsAndWholeValues) {
  FeaturizerOptions words = ngrams_only(1, 1);
  words.max_n = 0;  // no n-grams
  words.words = true;
  // "let's get-it on!" -> let s get it on
  EXPECT_EQ(featurize(words, title("LET'S GET-IT ON!")).size(), 5u);
  EXPECT_EQ(featurize(words, title("ドリーム・オブ・フリーダム")).size(), 3u);
  FeaturizerOptions whole = words;
  whole.words = false;
  whole.whole_values = true;
  EXPECT_EQ(featurize(whole, title("ＡＢ  c")), featurize(whole, title("ab c")));
  EXPECT_NE(featurize(whole, title("ab c")), featurize(whole, title("ab d")));
  // Default options: whole value, value signature, word, word shape, n-grams:
  // "ab": 1 + 1 + 1 + 1 + 8.
  EXPECT_EQ(featurize(FeaturizerOptions{}, title("ab")).size(), 12u);
}

TEST(Featurizer, ShapesKeepCaseAndScript) {
  FeaturizerOptions o = ngrams_only(1, 2);
  const auto lower = featurize(o, title("abc de"));
  EXPECT_EQ(featurize(o, title("ABC De")), lower);  // n-grams are lowercased
  o.shapes = true;
  const auto upper = featurize(o, title("ABC DE"));
  const auto mixed = featurize(o, title("Abc De"));
  // One value signature, then per token its shape before its n-grams.
  ASSERT_EQ(upper.size(), lower.size() + 3);
  EXPECT_NE(upper[0], mixed[0]);  // signature "A" vs "Aa"
  EXPECT_NE(upper[1], mixed[1]);  // shapes "AA" vs "Aaa"
  // Shapes are shared across different words: "UB40" and "XY12" -> "AA00".
  FeaturizerOptions shapes_only = ngrams_only(1, 1);
  shapes_only.max_n = 0;
  shapes_only.shapes = true;
  EXPECT_EQ(featurize(shapes_only, title("UB40")), featurize(shapes_only, title("XY12")));
  EXPECT_EQ(featurize(shapes_only, title("五木ひろし")),
            featurize(shapes_only, title("谷村しんじ")));
  EXPECT_NE(featurize(shapes_only, title("ドリーム")), featurize(shapes_only, title("ひろし")));
}

TEST(Featurizer, DeterministicAndFieldSalted) {
  const FeaturizerOptions o;
  const json meta = {{"track_title", "Over The Rainbow"}, {"artist_name_list", {"UB40"}}};
  EXPECT_EQ(featurize(o, meta), featurize(o, meta));
  EXPECT_EQ(Featurizer(o).features(meta), Featurizer(o).features(json::parse(meta.dump())));
  const auto as_title = distinct(featurize(o, json{{"track_title", "rainbow"}}));
  const auto as_album = distinct(featurize(o, json{{"album_name", "rainbow"}}));
  for (int64_t id : as_title) EXPECT_EQ(as_album.count(id), 0u);
}

TEST(Featurizer, StableIds) {
  // Pinned: the hash (FNV-1a 64 + fmix64) must never change, or saved models
  // would read different features. Buckets 1000 -> ids in [1, 1000). Values
  // checked against an independent Python implementation of the same hash, for
  // the n-grams <a, a, ab, b, b> of field "track_title".
  FeaturizerOptions o = ngrams_only(1, 2);
  o.buckets = 1000;
  const std::vector<int64_t> ids = featurize(o, title("ab"));
  const std::vector<int64_t> pinned = {525, 375, 515, 550, 67};
  EXPECT_EQ(ids, pinned);
}

TEST(Featurizer, IdsWithinBuckets) {
  for (int64_t buckets : {2, 3, 17, 1 << 18}) {
    FeaturizerOptions o;
    o.buckets = buckets;
    o.hangul_jamo = true;
    const auto ids = featurize(o, json{{"track_title", "倖せさがして (Live) 사랑해"},
                                       {"album_name", "Street Songs"},
                                       {"artist_name_list", {"Rick James", "Teena Marie"}}});
    ASSERT_FALSE(ids.empty());
    for (int64_t id : ids) {
      EXPECT_GE(id, 1);
      EXPECT_LT(id, buckets);
    }
  }
}

TEST(Featurizer, HangulJamoNgrams) {
  FeaturizerOptions o = ngrams_only(1, 1);
  const auto plain = featurize(o, title("한"));
  EXPECT_EQ(plain.size(), 1u);
  o.hangul_jamo = true;
  const auto jamo = featurize(o, title("한"));
  ASSERT_EQ(jamo.size(), 4u);  // 한, then ᄒ ᅡ ᆫ
  EXPECT_EQ(jamo[0], plain[0]);
  EXPECT_EQ(distinct(jamo).size(), 4u);
  // A token without Hangul gets no jamo n-grams.
  EXPECT_EQ(featurize(o, title("abc")).size(), 3u);
  // Syllables sharing jamo share features: 한 and 하 share ᄒ and ᅡ.
  const auto ha = distinct(featurize(o, title("하")));
  int shared = 0;
  for (int64_t id : distinct(jamo)) shared += static_cast<int>(ha.count(id));
  EXPECT_EQ(shared, 2);
}

TEST(Featurizer, SkipsIndexKeysAndNonText) {
  const FeaturizerOptions o;
  const json ignored = {
      {"track_index", "7"},         {"album_index", "x"}, {"artist_index_list", {"z"}},
      {"play_time", 1591331700000}, {"has_tag", true},    {"has_lyric", 1.0},
      {"debut_ymd", nullptr},       {"empty", "   "},     {"numbers", {1, 2}}};
  EXPECT_TRUE(featurize(o, ignored).empty());
  EXPECT_TRUE(featurize(o, json()).empty());
  EXPECT_TRUE(featurize(o, json::array({"a"})).empty());
  json meta = ignored;
  meta["track_title"] = "ab";
  EXPECT_EQ(featurize(o, meta), featurize(o, title("ab")));
}

TEST(Featurizer, FlattensListsAndObjects) {
  const FeaturizerOptions o;
  const json artists = {{"artists",
                         {{{"artist_name", "015B"}, {"artist_index", 2}, {"debut_ymd", nullptr}},
                          {{"artist_name", "김현철"}, {"artist_index", 17}}}}};
  const json flat = {{"artists.artist_name", {"015B", "김현철"}}};
  EXPECT_EQ(featurize(o, artists), featurize(o, flat));
  // A list of strings = its strings one after the other under the same field.
  auto both = featurize(o, json{{"artist_name_list", {"015B"}}});
  const auto second = featurize(o, json{{"artist_name_list", "김현철"}});
  both.insert(both.end(), second.begin(), second.end());
  EXPECT_EQ(featurize(o, json{{"artist_name_list", {"015B", "김현철"}}}), both);
}

TEST(Featurizer, FieldsSelectKeys) {
  FeaturizerOptions o;
  o.fields = {"artists", "track_title"};  // kept in this order
  const json meta = {
      {"track_title", "ab"}, {"album_name", "cd"}, {"artists", {{{"artist_name", "x"}}}}};
  const json kept = {{"track_title", "ab"}, {"artists", {{{"artist_name", "x"}}}}};
  EXPECT_EQ(featurize(o, meta), featurize(FeaturizerOptions{}, kept));
  EXPECT_EQ(Featurizer(o).options().fields, o.fields);
}

TEST(Featurizer, InvalidOptionsThrow) {
  auto with = [](auto edit) {
    FeaturizerOptions o;
    edit(o);
    return o;
  };
  EXPECT_MELCLASS_ERROR(Featurizer(with([](auto& o) { o.buckets = 1; })), "text: ", "buckets");
  EXPECT_MELCLASS_ERROR(Featurizer(with([](auto& o) { o.min_n = 0; })), "min_n");
  EXPECT_MELCLASS_ERROR(Featurizer(with([](auto& o) { o.min_n = 5; })), "min_n");
  EXPECT_MELCLASS_ERROR(Featurizer(with([](auto& o) { o.max_n = -1; })), "max_n");
  EXPECT_MELCLASS_ERROR(Featurizer(with([](auto& o) { o.fields = {""}; })), "field");
  EXPECT_MELCLASS_ERROR(Featurizer(with([](auto& o) {
                          o.max_n = 0;
                          o.words = o.whole_values = o.shapes = false;
                        })),
                        "no features");
}

TEST(PackBags, OffsetsAndIds) {
  const auto [ids, offsets] = pack_bags({{5, 6}, {}, {7}, {8, 8, 9}});
  EXPECT_EQ(ids.scalar_type(), torch::kLong);
  EXPECT_EQ(offsets.scalar_type(), torch::kLong);
  EXPECT_TRUE(torch::equal(ids, torch::tensor({5, 6, 7, 8, 8, 9}, torch::kLong)));
  EXPECT_TRUE(torch::equal(offsets, torch::tensor({0, 2, 2, 3}, torch::kLong)));
  const auto [no_ids, no_offsets] = pack_bags({});
  EXPECT_EQ(no_ids.numel(), 0);
  EXPECT_EQ(no_offsets.numel(), 0);
}
