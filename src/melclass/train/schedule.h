#pragma once
// How long and how fast a run trains: epochs and optimizer steps, the
// optimizer, and the learning-rate schedules (linear warmup + cosine decay,
// ReduceLROnPlateau).

#include <cstdint>
#include <memory>

#include <torch/optim/optimizer.h>

#include "melclass/models/classifier.h"

namespace melclass::train {

/// Optimizer steps per epoch: batches of batch_size, the last one partial.
int64_t batches_per_epoch(size_t train_tracks, int batch_size);

/// Epochs to run: the recipe's for the task (task_epochs), or more when
/// recipe.min_steps needs them on a small training set.
int epochs_to_run(const models::Recipe& recipe, bool multi_label, size_t train_tracks);

/// AdamW (Loshchilov & Hutter 2019, "Decoupled weight decay regularization"),
/// or SGD with momentum when recipe.optimizer == "sgd", at recipe.lr.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const models::Recipe& recipe,
                                                        models::ClassifierImpl& model);

/// Sets every parameter group's learning rate.
void set_lr(torch::optim::Optimizer& optimizer, double lr);

/// Learning rate at optimizer step `step` of `total`: linear warmup over the
/// first 5% of the steps (at least one; Goyal et al. 2017, "Accurate, large
/// minibatch SGD"), from base_lr / warmup up to base_lr, then cosine decay to 0
/// over the rest (Loshchilov & Hutter 2017, "SGDR", without restarts).
double warmup_cosine_lr(double base_lr, int64_t step, int64_t total);

/// ReduceLROnPlateau on the validation loss, mode "min", as
/// torch.optim.lr_scheduler (relative threshold 1e-4, no cooldown): the rate
/// is multiplied by `factor` once `patience` epochs in a row were not better.
struct Plateau {
  double best = INFINITY;
  int bad_epochs = 0;
  /// The epoch's validation loss and the current rate -> the next rate.
  double step(double loss, double lr, double factor, int patience);
};

}  // namespace melclass::train
