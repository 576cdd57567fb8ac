#pragma once
// Label vocabulary: label string <-> class index, and target encoding.

#include <filesystem>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace melclass::data {

class LabelVocab {
 public:
  LabelVocab() = default;
  /// `labels` sorted and unique; `multi_label` selects target encoding;
  /// `source` (the label file) is named when there are too few classes.
  LabelVocab(std::vector<std::string> labels, bool multi_label, const std::string& source = "");

  size_t size() const { return labels_.size(); }
  bool multi_label() const { return multi_label_; }
  const std::vector<std::string>& labels() const { return labels_; }
  const std::string& label(size_t index) const { return labels_.at(index); }
  /// Class index of `label`; -1 when unknown.
  int64_t find(const std::string& label) const;
  /// Index of `label`; throws Error(component, source, ...) naming an unknown label.
  int64_t index(const std::string& label, const std::string& component,
                const std::string& source) const;
  /// Single-label: int64 scalar class index. Multi-label: float [C] multi-hot.
  at::Tensor encode(const std::vector<std::string>& labels, const std::string& component,
                    const std::string& source) const;

  void save(const std::filesystem::path& path) const;
  static LabelVocab load(const std::filesystem::path& path);

 private:
  std::vector<std::string> labels_;
  bool multi_label_ = false;
};

}  // namespace melclass::data
