// train/split.h: artist-disjoint stratified folds, validation split, epoch order.

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "melclass/core/error.h"
#include "melclass/train/split.h"

using namespace melclass;

namespace {
data::Track track(const std::string& id, const nlohmann::json& meta) {
  data::Track t;
  t.id = id;
  t.meta = meta;
  return t;
}
}  // namespace

TEST(ArtistGroup, FirstArtistLowerCasedOrTrack) {
  EXPECT_EQ(train::artist_group(track("1", {{"artist_name_list", {"Roy Harvey", "X"}}})),
            "artist:roy harvey");
  EXPECT_EQ(train::artist_group(track("2", {{"artists", {{{"artist_name", "ABC"}}}}})),
            "artist:abc");
  EXPECT_EQ(train::artist_group(track("3", {{"artist_index_list", {17}}})), "artist:#17");
  EXPECT_EQ(train::artist_group(track("4", nlohmann::json::object())), "track:4");
  EXPECT_EQ(train::artist_group(track("5", {{"artist_name_list", nlohmann::json::array()}})),
            "track:5");
}

TEST(AssignFolds, GroupsStayTogetherFoldsBalanced) {
  // 60 tracks by 20 artists (3 each), 4 classes; artist a's class is a % 4.
  std::vector<std::string> groups;
  std::vector<std::vector<int64_t>> labels;
  for (int i = 0; i < 60; ++i) {
    groups.push_back("a" + std::to_string(i / 3));
    labels.push_back({(i / 3) % 4});
  }
  const auto fold = train::assign_folds(groups, labels, 5, 7);
  std::map<std::string, std::set<int>> folds_of_group;
  std::vector<int> size(5, 0);
  std::vector<std::vector<int>> per_class(5, std::vector<int>(4, 0));
  for (size_t i = 0; i < fold.size(); ++i) {
    ASSERT_GE(fold[i], 0);
    ASSERT_LT(fold[i], 5);
    folds_of_group[groups[i]].insert(fold[i]);
    ++size[fold[i]], ++per_class[fold[i]][labels[i][0]];
  }
  for (const auto& [g, f] : folds_of_group) EXPECT_EQ(f.size(), 1u) << g;
  for (int s : size) EXPECT_EQ(s, 12);
  for (const auto& c : per_class)  // 15 tracks per class over 5 folds: 3 each (one artist)
    for (int n : c) EXPECT_EQ(n, 3);
  EXPECT_EQ(fold, train::assign_folds(groups, labels, 5, 7)) << "deterministic for a seed";
  EXPECT_NE(fold, train::assign_folds(groups, labels, 5, 8)) << "the seed matters";
  EXPECT_THROW(train::assign_folds(groups, labels, 1, 0), Error);
}

TEST(SplitValidation, AboutTheFractionArtistDisjoint) {
  std::vector<std::string> groups;
  std::vector<std::vector<int64_t>> labels;
  std::vector<size_t> candidates;
  for (size_t i = 0; i < 100; ++i) {
    groups.push_back("a" + std::to_string(i / 2));
    labels.push_back({static_cast<int64_t>(i % 2)});
    candidates.push_back(i);
  }
  std::vector<size_t> train, val;
  train::split_validation(candidates, groups, labels, 0.1, 0, train, val);
  EXPECT_EQ(train.size() + val.size(), 100u);
  EXPECT_NEAR(static_cast<double>(val.size()), 10.0, 2.0);
  std::set<std::string> val_groups;
  for (size_t i : val) val_groups.insert(groups[i]);
  for (size_t i : train) EXPECT_EQ(val_groups.count(groups[i]), 0u) << "artist in both parts";
}

TEST(EpochOrder, ShuffleOrClassBalanced) {
  std::vector<size_t> idx;
  std::vector<std::vector<int64_t>> labels;
  for (size_t i = 0; i < 400; ++i) {
    idx.push_back(i);
    labels.push_back({i < 360 ? 0 : 1});  // 90% class 0
  }
  std::mt19937_64 rng(0);
  auto order = train::epoch_order(idx, labels, false, rng);
  auto sorted = order;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, idx) << "a shuffle is a permutation";
  order = train::epoch_order(idx, labels, true, rng);
  ASSERT_EQ(order.size(), 400u);
  int minority = 0;
  for (size_t i : order) minority += labels[i][0] == 1;
  EXPECT_NEAR(minority, 200, 40) << "balanced: each class about half of the draws";
}
