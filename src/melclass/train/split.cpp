#include "melclass/train/split.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>

#include <ATen/ATen.h>

#include "melclass/core/error.h"

namespace melclass::train {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string first_name(const nlohmann::json& list) {
  if (!list.is_array() || list.empty()) return "";
  const auto& a = list.front();
  if (a.is_string()) return a.get<std::string>();
  if (a.is_number_integer()) return "#" + std::to_string(a.get<int64_t>());
  if (a.is_object())
    for (const char* key : {"artist_name", "name"})
      if (a.contains(key) && a[key].is_string()) return a[key].get<std::string>();
  return "";
}

}  // namespace

std::vector<int64_t> label_indices(const at::Tensor& y) {
  if (y.dim() == 0) return {y.item<int64_t>()};
  const at::Tensor idx = y.nonzero().flatten().contiguous();
  return std::vector<int64_t>(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel());
}

std::string artist_group(const data::Track& t) {
  for (const char* key : {"artist_name_list", "artists", "artist_index_list"}) {
    if (!t.meta.contains(key)) continue;
    const std::string name = first_name(t.meta[key]);
    if (!name.empty()) return "artist:" + lower(name);
  }
  return "track:" + t.id;
}

void split_keys(const data::Dataset& ds, const data::LabelVocab& vocab, const std::string& source,
                std::vector<std::string>& groups, std::vector<std::vector<int64_t>>& labels) {
  groups.clear(), labels.clear();
  for (const auto& t : ds.tracks()) {
    groups.push_back(artist_group(t));
    labels.push_back(label_indices(vocab.encode(t.labels, "train", source)));
  }
}

std::vector<int> assign_folds(const std::vector<std::string>& groups,
                              const std::vector<std::vector<int64_t>>& labels, int folds,
                              uint64_t seed) {
  check(folds >= 2, "split", "", "need at least 2 folds");
  check(groups.size() == labels.size(), "split", "", "groups and labels differ in length");
  std::map<std::string, std::vector<size_t>> members;
  int64_t n_labels = 1;
  for (size_t i = 0; i < groups.size(); ++i) {
    members[groups[i]].push_back(i);
    for (int64_t l : labels[i]) n_labels = std::max(n_labels, l + 1);
  }
  std::vector<const std::vector<size_t>*> order;
  for (const auto& [g, m] : members) order.push_back(&m);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  std::stable_sort(order.begin(), order.end(),
                   [](auto* a, auto* b) { return a->size() > b->size(); });
  std::vector<double> total(static_cast<size_t>(n_labels), 0.0);
  for (const auto& l : labels)
    for (int64_t c : l) total[static_cast<size_t>(c)] += 1;
  std::vector<std::vector<double>> have(static_cast<size_t>(folds),
                                        std::vector<double>(total.size()));
  std::vector<size_t> size(static_cast<size_t>(folds), 0);
  std::vector<int> fold(groups.size(), 0);
  for (const auto* m : order) {
    int best = 0;
    double best_cost = INFINITY;
    for (int f = 0; f < folds; ++f) {
      double cost = 0;  // share of each of the group's labels this fold already holds
      for (size_t i : *m)
        for (int64_t c : labels[i])
          cost += have[f][static_cast<size_t>(c)] / total[static_cast<size_t>(c)];
      cost += 1e-3 * static_cast<double>(size[f]);  // then the smaller fold
      if (cost < best_cost - 1e-12) best_cost = cost, best = f;
    }
    for (size_t i : *m) {
      fold[i] = best;
      for (int64_t c : labels[i]) have[best][static_cast<size_t>(c)] += 1;
    }
    size[best] += m->size();
  }
  return fold;
}

void split_validation(const std::vector<size_t>& candidates, const std::vector<std::string>& groups,
                      const std::vector<std::vector<int64_t>>& labels, double val_fraction,
                      uint64_t seed, std::vector<size_t>& train, std::vector<size_t>& val) {
  const int folds = std::max(2, static_cast<int>(std::lround(1.0 / val_fraction)));
  std::vector<std::string> g;
  std::vector<std::vector<int64_t>> l;
  for (size_t i : candidates) g.push_back(groups[i]), l.push_back(labels[i]);
  const auto fold = assign_folds(g, l, folds, seed);
  train.clear(), val.clear();
  for (size_t k = 0; k < candidates.size(); ++k)
    (fold[k] == 0 ? val : train).push_back(candidates[k]);
}

std::vector<size_t> epoch_order(const std::vector<size_t>& indices,
                                const std::vector<std::vector<int64_t>>& labels, bool balanced,
                                std::mt19937_64& rng) {
  std::vector<size_t> order = indices;
  if (!balanced) {
    std::shuffle(order.begin(), order.end(), rng);
    return order;
  }
  std::map<int64_t, std::vector<size_t>> by_class;
  for (size_t i : indices) by_class[labels[i].empty() ? -1 : labels[i][0]].push_back(i);
  std::vector<const std::vector<size_t>*> classes;
  for (const auto& [c, m] : by_class) classes.push_back(&m);
  std::uniform_int_distribution<size_t> pick_class(0, classes.size() - 1);
  for (size_t& slot : order) {
    const auto& m = *classes[pick_class(rng)];
    slot = m[std::uniform_int_distribution<size_t>(0, m.size() - 1)(rng)];
  }
  return order;
}

}  // namespace melclass::train
