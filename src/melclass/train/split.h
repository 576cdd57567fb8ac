#pragma once
// Splitting a training list: artist-disjoint, label-stratified folds (for
// cross-validation and for the validation part of a run), and the order of
// training examples in an epoch (shuffled, or class-balanced).

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "melclass/data/dataset.h"
#include "melclass/data/labels.h"

namespace melclass::train {

/// A target as LabelVocab::encode makes it ([] class index, or [C] multi-hot)
/// -> its label indices.
std::vector<int64_t> label_indices(const at::Tensor& target);

/// A track's group for artist-disjoint splits: its first artist, lower-cased
/// (artist_name_list, artists[].artist_name/name, artist_index_list), or
/// "track:<id>" when the metadata names no artist.
std::string artist_group(const data::Track& track);

/// Artist group and label indices (encoded with `vocab`; `source` names the
/// label file in errors) of every track of `ds`: what assign_folds and
/// split_validation take. Shared by training and cross-validation so both cut
/// the same folds.
void split_keys(const data::Dataset& ds, const data::LabelVocab& vocab, const std::string& source,
                std::vector<std::string>& groups, std::vector<std::vector<int64_t>>& labels);

/// Fold of each track in [0, folds). Tracks of one group always share a fold.
/// Groups are visited largest first (ties in seed-shuffled order) and each goes
/// to the fold where its labels are least represented so far, relative to
/// their totals, then to the smallest fold: folds come out balanced in size and
/// label mix, like scikit-learn's StratifiedGroupKFold. labels[i]: track i's
/// label indices (one for single-label tasks). Deterministic for a seed.
std::vector<int> assign_folds(const std::vector<std::string>& groups,
                              const std::vector<std::vector<int64_t>>& labels, int folds,
                              uint64_t seed);

/// Indices (into `candidates`) split into training and validation parts, with
/// about `val_fraction` of the tracks in validation, artist-disjoint
/// (assign_folds with round(1 / val_fraction) folds; fold 0 validates).
void split_validation(const std::vector<size_t>& candidates, const std::vector<std::string>& groups,
                      const std::vector<std::vector<int64_t>>& labels, double val_fraction,
                      uint64_t seed, std::vector<size_t>& train, std::vector<size_t>& val);

/// One epoch's example order over `indices`: a shuffle, or with `balanced`
/// (single-label) as many draws with replacement, each class equally likely
/// (class-balanced sampling; labels[i][0] is track i's class).
std::vector<size_t> epoch_order(const std::vector<size_t>& indices,
                                const std::vector<std::vector<int64_t>>& labels, bool balanced,
                                std::mt19937_64& rng);

}  // namespace melclass::train
