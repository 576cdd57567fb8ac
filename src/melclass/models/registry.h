#pragma once
// Models by name.

#include <string>
#include <vector>

#include "melclass/models/classifier.h"

namespace melclass::models {

/// The model used when --model is omitted: the winner of 5-fold artist-disjoint cross-validation on
/// real4q with two seeds (README, "Cross-validation on real music"): the highest mean on station,
/// mood and genre, and a full training on real4q/station in a few minutes on 2 cores.
constexpr const char* kDefaultModel = "crnn";

/// Spec of a registered model; throws Error("model", "", ...) listing the
/// known names when `name` is unknown.
const ModelSpec& model_spec(const std::string& name);
std::vector<std::string> model_names();

/// model_spec(name).make(options).
std::shared_ptr<ClassifierImpl> make_model(const std::string& name, const ModelOptions& options);

}  // namespace melclass::models
