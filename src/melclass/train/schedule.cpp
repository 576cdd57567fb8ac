#include "melclass/train/schedule.h"

#include <algorithm>
#include <cmath>

#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include "melclass/train/config.h"

namespace melclass::train {

int64_t batches_per_epoch(size_t train_tracks, int batch_size) {
  return static_cast<int64_t>((train_tracks + batch_size - 1) / batch_size);
}

int epochs_to_run(const models::Recipe& r, bool multi_label, size_t train_tracks) {
  const int64_t per_epoch = std::max<int64_t>(1, batches_per_epoch(train_tracks, r.batch_size));
  return static_cast<int>(
      std::max<int64_t>(task_epochs(r, multi_label), (r.min_steps + per_epoch - 1) / per_epoch));
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const models::Recipe& r,
                                                        models::ClassifierImpl& model) {
  if (r.optimizer == "sgd")
    return std::make_unique<torch::optim::SGD>(model.parameters(),
                                               torch::optim::SGDOptions(r.lr)
                                                   .momentum(r.momentum)
                                                   .nesterov(r.nesterov)
                                                   .weight_decay(r.weight_decay));
  return std::make_unique<torch::optim::AdamW>(
      model.parameters(), torch::optim::AdamWOptions(r.lr).weight_decay(r.weight_decay));
}

void set_lr(torch::optim::Optimizer& opt, double lr) {
  for (auto& group : opt.param_groups()) group.options().set_lr(lr);
}

double warmup_cosine_lr(double base_lr, int64_t step, int64_t total) {
  const int64_t warmup = std::max<int64_t>(1, total / 20);
  if (step < warmup) return base_lr * static_cast<double>(step + 1) / warmup;
  const double progress = static_cast<double>(step - warmup) / std::max<int64_t>(1, total - warmup);
  return base_lr * 0.5 * (1.0 + std::cos(M_PI * progress));
}

double Plateau::step(double loss, double lr, double factor, int patience) {
  if (loss < best * (1 - 1e-4)) {
    best = loss, bad_epochs = 0;
    return lr;
  }
  if (++bad_epochs > patience) return bad_epochs = 0, lr * factor;
  return lr;
}

}  // namespace melclass::train
