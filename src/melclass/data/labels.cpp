#include "melclass/data/labels.h"

#include <algorithm>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/io/json_table.h"

namespace melclass::data {

LabelVocab::LabelVocab(std::vector<std::string> labels, bool multi_label, const std::string& source)
    : labels_(std::move(labels)), multi_label_(multi_label) {
  std::sort(labels_.begin(), labels_.end());
  labels_.erase(std::unique(labels_.begin(), labels_.end()), labels_.end());
  check(
      labels_.size() >= (multi_label ? 1u : 2u), "labels", source,
      "need at least two classes (one tag for multi-label), got " + std::to_string(labels_.size()));
}

int64_t LabelVocab::find(const std::string& label) const {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), label);
  if (it == labels_.end() || *it != label) return -1;
  return static_cast<int64_t>(it - labels_.begin());
}

int64_t LabelVocab::index(const std::string& label, const std::string& component,
                          const std::string& source) const {
  const int64_t i = find(label);
  check(i >= 0, component, source, "label '" + label + "' was never seen in training");
  return i;
}

at::Tensor LabelVocab::encode(const std::vector<std::string>& labels, const std::string& component,
                              const std::string& source) const {
  if (!multi_label_) {
    check(labels.size() == 1, component, source, "expected exactly one label");
    return at::scalar_tensor(index(labels[0], component, source), at::kLong);
  }
  at::Tensor target = at::zeros({static_cast<int64_t>(size())});
  for (const auto& l : labels) target[index(l, component, source)] = 1.0f;
  return target;
}

void LabelVocab::save(const std::filesystem::path& path) const {
  nlohmann::json j = {{"labels", labels_}, {"multi_label", multi_label_}};
  write_file_atomically(path, [&](std::ostream& out) { out << j.dump(2) << "\n"; });
}

LabelVocab LabelVocab::load(const std::filesystem::path& path) {
  try {
    const auto j = io::parse_json(read_text_file(path), path.string());
    return LabelVocab(j.at("labels").get<std::vector<std::string>>(),
                      j.at("multi_label").get<bool>());
  } catch (const nlohmann::json::exception& e) {
    throw Error("labels", path.string(), "invalid vocabulary file: " + io::json_error_text(e));
  }
}

}  // namespace melclass::data
