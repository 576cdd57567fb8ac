// train::apply_artist_prior against a plain double-precision evaluation of
// its formula (Laplace-smoothed artist label distribution to the power w),
// count_artist_labels, and the artist_labels.json round trip.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "melclass/core/error.h"
#include "melclass/train/artist_prior.h"

namespace fs = std::filesystem;
using melclass::train::apply_artist_prior;
using melclass::train::ArtistLabels;
using melclass::train::count_artist_labels;

namespace {

const std::vector<std::vector<double>> kProbs = {
    {0.7, 0.1, 0.1, 0.1}, {0.25, 0.25, 0.25, 0.25}, {0.1, 0.6, 0.2, 0.1}};
const std::vector<std::string> kGroups = {"artist:a", "track:1", "artist:new"};

torch::Tensor to_tensor(const std::vector<std::vector<double>>& rows) {
  auto t = torch::empty({static_cast<int64_t>(rows.size()), 4}, torch::kDouble);
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t c = 0; c < 4; ++c) t[static_cast<int64_t>(i)][static_cast<int64_t>(c)] = rows[i][c];
  return t;
}

ArtistLabels training_counts() {
  // Training tracks: artist a three times (labels 1, 1, 3), one track without
  // an artist (label 0), artist b once (label 2); row 5 is not counted.
  const std::vector<std::string> groups = {"artist:a", "artist:a", "track:9",
                                           "artist:a", "artist:b", "artist:a"};
  const std::vector<std::vector<int64_t>> labels = {{1}, {1}, {0}, {3}, {2}, {0}};
  return count_artist_labels(groups, labels, {0, 1, 2, 3, 4}, 4);
}

}  // namespace

TEST(ArtistPrior, CountsSkipTrackKeysAndUncountedRows) {
  const ArtistLabels l = training_counts();
  ASSERT_EQ(l.counts.size(), 2u);
  EXPECT_EQ(l.counts.at("artist:a"), (std::vector<int64_t>{0, 2, 0, 1}));
  EXPECT_EQ(l.counts.at("artist:b"), (std::vector<int64_t>{0, 0, 1, 0}));
}

TEST(ArtistPrior, MatchesTheFormulaAndLeavesUnknownArtistsAlone) {
  const ArtistLabels l = training_counts();
  for (double w : {0.5, 1.0, 2.0}) {
    const auto q = apply_artist_prior(to_tensor(kProbs), kGroups, l, w);
    // Row 0, artist a: n_a = 3, counts {0, 2, 0, 1} -> prior (n + 1) / 7.
    std::vector<double> ref(4);
    double sum = 0;
    const std::vector<double> n = {0, 2, 0, 1};
    for (size_t c = 0; c < 4; ++c) sum += ref[c] = kProbs[0][c] * std::pow((n[c] + 1) / 7.0, w);
    for (size_t c = 0; c < 4; ++c)
      EXPECT_NEAR(q[0][static_cast<int64_t>(c)].item<double>(), ref[c] / sum, 1e-12) << w;
    // No artist, or an artist without training tracks: unchanged.
    for (int64_t i : {1, 2})
      for (int64_t c = 0; c < 4; ++c)
        EXPECT_NEAR(q[i][c].item<double>(), kProbs[static_cast<size_t>(i)][static_cast<size_t>(c)],
                    1e-12);
  }
  EXPECT_TRUE(apply_artist_prior(to_tensor(kProbs), kGroups, l, 0).equal(to_tensor(kProbs)));
  // Artist a's training labels favour class 1: the prior moves row 0 from 0 to 1 at w = 2.
  EXPECT_EQ(apply_artist_prior(to_tensor(kProbs), kGroups, l, 2)[0].argmax().item<int64_t>(), 1);
}

TEST(ArtistPrior, RoundTripsThroughJsonAndRejectsBadInput) {
  const fs::path dir = fs::temp_directory_path() / "melclass_artist_prior_test";
  fs::create_directories(dir);
  const ArtistLabels l = training_counts();
  melclass::train::save_artist_labels(dir / "a.json", l);
  const ArtistLabels back = melclass::train::load_artist_labels(dir / "a.json", 4);
  EXPECT_EQ(back.counts, l.counts);
  EXPECT_THROW(melclass::train::load_artist_labels(dir / "a.json", 3), melclass::Error);
  std::ofstream(dir / "bad.json") << R"({"artist:a": [1, -2, 0, 0]})";
  EXPECT_THROW(melclass::train::load_artist_labels(dir / "bad.json", 4), melclass::Error);
  EXPECT_THROW(apply_artist_prior(to_tensor(kProbs), {"artist:a"}, l, 1), melclass::Error);
  EXPECT_THROW(apply_artist_prior(to_tensor(kProbs), kGroups, l, -1), melclass::Error);
  fs::remove_all(dir);
}
