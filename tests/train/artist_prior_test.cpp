// train::apply_artist_prior and mix_artist_tags against plain double-precision
// evaluations of their formulas (Laplace-smoothed artist label distribution to
// the power w; the artist's tag frequencies mixed in), count_artist_labels, and
// the artist_labels.json round trip.

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
using melclass::train::mix_artist_tags;

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
  EXPECT_EQ(l.tracks.at("artist:a"), 3);
  EXPECT_EQ(l.tracks.at("artist:b"), 1);
}

// Multi-label: artist a's two training tracks carry tags {0, 1} and {1};
// q = (1 - b) p + b * share, share = {1/2, 1, 0, 0}.
TEST(ArtistPrior, TagMixMatchesTheFormula) {
  const ArtistLabels l =
      count_artist_labels({"artist:a", "artist:a", "track:3"}, {{0, 1}, {1}, {2}}, {0, 1, 2}, 4);
  EXPECT_EQ(l.counts.at("artist:a"), (std::vector<int64_t>{1, 2, 0, 0}));
  EXPECT_EQ(l.tracks.at("artist:a"), 2);
  const std::vector<double> share = {0.5, 1, 0, 0};
  for (double b : {0.25, 0.5, 1.0}) {
    const auto q = mix_artist_tags(to_tensor(kProbs), kGroups, l, b);
    for (int64_t c = 0; c < 4; ++c) {
      const auto k = static_cast<size_t>(c);
      EXPECT_NEAR(q[0][c].item<double>(), (1 - b) * kProbs[0][k] + b * share[k], 1e-12) << b;
      EXPECT_NEAR(q[1][c].item<double>(), kProbs[1][k], 1e-12);
      EXPECT_NEAR(q[2][c].item<double>(), kProbs[2][k], 1e-12);
    }
  }
  // At b = 0.5 a tag every training track carries crosses the 0.5 cut.
  EXPECT_GT(mix_artist_tags(to_tensor(kProbs), kGroups, l, 0.5)[0][1].item<double>(), 0.5);
  EXPECT_TRUE(mix_artist_tags(to_tensor(kProbs), kGroups, l, 0).equal(to_tensor(kProbs)));
  EXPECT_THROW(mix_artist_tags(to_tensor(kProbs), kGroups, l, 1.5), melclass::Error);
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
  EXPECT_EQ(back.tracks, l.tracks);
  EXPECT_THROW(melclass::train::load_artist_labels(dir / "a.json", 3), melclass::Error);
  for (const char* bad : {R"({"artist:a": [1, 0, 0, 0]})",
                          R"({"tracks": {"artist:a": 1}, "counts": {"artist:a": [1, -2, 0, 0]}})",
                          R"({"tracks": {"artist:a": 1}, "counts": {"artist:a": [2, 0, 0, 0]}})",
                          R"({"tracks": {"artist:b": 1}, "counts": {"artist:a": [1, 0, 0, 0]}})"}) {
    std::ofstream(dir / "bad.json") << bad;
    EXPECT_THROW(melclass::train::load_artist_labels(dir / "bad.json", 4), melclass::Error) << bad;
  }
  EXPECT_THROW(apply_artist_prior(to_tensor(kProbs), {"artist:a"}, l, 1), melclass::Error);
  EXPECT_THROW(apply_artist_prior(to_tensor(kProbs), kGroups, l, -1), melclass::Error);
  fs::remove_all(dir);
}
