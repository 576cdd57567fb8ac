#include "melclass/train/run_dir.h"

#include <optional>
#include <random>
#include <set>
#include <sstream>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/io/json_table.h"
#include "melclass/models/registry.h"
#include "melclass/models/text_model.h"
#include "melclass/text/featurizer.h"
#include "melclass/train/classic_fit.h"

namespace fs = std::filesystem;

namespace melclass::train {

fs::path config_file(const fs::path& run) { return run / "config.json"; }
fs::path vocab_file(const fs::path& run) { return run / "labels.json"; }
fs::path metrics_file(const fs::path& run) { return run / "metrics.jsonl"; }
fs::path checkpoint_file(const fs::path& run) { return run / "model.pt"; }
fs::path summary_file(const fs::path& run) { return run / "summary.json"; }
fs::path calibration_file(const fs::path& run) { return run / "calibration.json"; }
fs::path norm_file(const fs::path& run) { return run / "input_norm.json"; }
fs::path classic_file(const fs::path& run) { return run / "classic.json"; }
fs::path artist_labels_file(const fs::path& run) { return run / "artist_labels.json"; }

bool is_run_file_name(const std::string& name) {
  static const std::set<std::string> kFiles = {
      "config.json",        "labels.json",     "metrics.jsonl",    "model.pt",
      "summary.json",       "input_norm.json", "calibration.json", "classic.json",
      "artist_labels.json", "mel_cache",       "cv_summary.json",  "oof_predictions.json"};
  return kFiles.count(name) > 0;
}

namespace {
// What predict and report may write into a run or cv folder beside its files.
bool is_output_file_name(const std::string& name) {
  return name == "predictions.json" || name == "predictions.csv" || name == "report.html";
}
}  // namespace

bool is_run_folder(const fs::path& folder) {
  return fs::is_regular_file(config_file(folder)) &&
         folder_holds_only(folder, [](const fs::directory_entry& e) {
           const std::string name = e.path().filename().string();
           return is_run_file_name(name) || is_output_file_name(name);
         });
}

bool is_cv_folder(const fs::path& folder) {
  return fs::is_directory(folder / "fold-1") &&
         folder_holds_only(folder, [](const fs::directory_entry& e) {
           const std::string name = e.path().filename().string();
           if (name == "cv_summary.json" || name == "oof_predictions.json") return true;
           if (is_output_file_name(name)) return true;
           return name.rfind("fold-", 0) == 0 && e.is_directory() && is_run_folder(e.path());
         });
}

bool is_replaceable_output(const fs::path& folder) {
  return is_run_folder(folder) || is_cv_folder(folder);
}

nlohmann::json read_run_json(const fs::path& file) {
  try {
    return io::parse_json(read_text_file(file), file.string());
  } catch (const nlohmann::json::exception&) {
    throw Error("run", file.string(), "malformed JSON");
  }
}

bool uses_audio(const TrainConfig& c) {
  return models::model_spec(c.model).inputs != models::Inputs::kText;
}

bool uses_text(const TrainConfig& c) {
  return models::model_spec(c.model).inputs != models::Inputs::kAudio || c.recipe.use_text;
}

data::DatasetOptions train_data_options(const TrainConfig& c) {
  data::DatasetOptions o;
  o.root = c.data_root;
  if (!c.task.empty()) o.task = data::parse_task(c.task);
  o.skip_missing = c.skip_missing && uses_audio(c);
  o.require_spectrograms = uses_audio(c);
  return o;
}

std::vector<TrackSource> make_sources(const TrainConfig& c, const data::Dataset& ds) {
  std::optional<text::Featurizer> featurizer;
  if (uses_text(c)) {
    text::FeaturizerOptions fo;
    fo.buckets = c.recipe.text_buckets;
    fo.fields = c.recipe.text_fields;
    featurizer.emplace(fo);
  }
  const bool audio = uses_audio(c);
  std::vector<TrackSource> out;
  for (const auto& t : ds.tracks()) {
    TrackSource s;
    if (audio) s.file = ds.spectrogram_file(t);
    if (featurizer) s.text = featurizer->features(t.meta);
    out.push_back(std::move(s));
  }
  return out;
}

std::shared_ptr<models::ClassifierImpl> build_model(const TrainConfig& c, int64_t n_classes) {
  models::ModelOptions o;
  o.n_mels = c.n_mels;
  o.n_classes = n_classes;
  o.dropout = c.recipe.dropout;
  o.text_buckets = c.recipe.text_buckets;
  o.text_dim = c.recipe.text_dim;
  auto model = models::make_model(c.model, o);
  if (c.recipe.use_text && models::model_spec(c.model).inputs == models::Inputs::kAudio)
    model = models::with_text(model, o);
  return model;
}

InputSpec LoadedRun::input_spec() const {
  return InputSpec{config.n_mels, config.recipe, norm, uses_audio(config), classic};
}

at::Tensor LoadedRun::predict(const std::vector<TrackSource>& sources, c10::Device device,
                              int track_workers, bool bf16) const {
  std::mt19937_64 rng(config.seed);
  InputSpec spec = input_spec();
  spec.bf16 = bf16;
  const at::Tensor probs =
      predict_sources(*model, sources, spec, vocab.multi_label(), device, rng, track_workers);
  return vocab.multi_label() ? apply_calibration(probs, calibration) : probs;
}

void save_checkpoint(const fs::path& run, models::ClassifierImpl& model) {
  for (const auto& t : model.parameters())
    check(at::isfinite(t).all().item<bool>(), "train", "",
          "training diverged (the weights hold NaN/Inf; lower lr or weight_decay)");
  torch::serialize::OutputArchive archive;
  model.save(archive);
  // Serialised in memory, then written by write_file_atomically, which checks
  // the stream: save_to(file) throws from a destructor on a full disk, which
  // terminates the process.
  std::ostringstream bytes;
  archive.save_to(bytes);
  const std::string blob = bytes.str();
  write_file_atomically(checkpoint_file(run), [&](std::ostream& s) {
    s.write(blob.data(), static_cast<std::streamsize>(blob.size()));
  });
}

namespace {
// After Module::load: every tensor must own enough bytes for its shape (a
// truncated model.pt record loads without error and is read past its end) and
// hold finite values (a diverged run).
void check_loaded_tensors(const models::ClassifierImpl& model, const fs::path& file) {
  auto check_one = [&](const std::string& name, const at::Tensor& t) {
    if (t.numel() == 0) return;
    const auto need = static_cast<size_t>(t.storage_offset() + t.numel()) * t.element_size();
    check(
        t.has_storage() && t.storage().nbytes() >= need && t.storage().data_ptr().get() != nullptr,
        "run", file.string(), "corrupt checkpoint: tensor '" + name + "' is truncated");
    if (t.is_floating_point())
      check(at::isfinite(t).all().item<bool>(), "run", file.string(),
            "tensor '" + name + "' holds NaN/Inf values (a diverged or corrupt run)");
  };
  for (const auto& p : model.named_parameters()) check_one(p.key(), p.value());
  for (const auto& b : model.named_buffers()) check_one(b.key(), b.value());
}

// Loads file into model. Module::load swaps in each stored tensor whatever its
// shape: compare the shapes afterwards, or a checkpoint for another vocabulary
// loads silently.
void load_checkpoint(models::ClassifierImpl& model, const fs::path& file) {
  const auto shapes = [&] {
    std::vector<std::pair<std::string, std::vector<int64_t>>> out;
    for (const auto& p : model.named_parameters()) out.emplace_back(p.key(), p->sizes().vec());
    for (const auto& b : model.named_buffers()) out.emplace_back(b.key(), b->sizes().vec());
    return out;
  };
  const auto expected = shapes();
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    model.load(archive);
  } catch (const c10::Error& e) {
    throw Error("run", file.string(),
                "cannot load checkpoint (corrupt, or from another model/vocabulary)");
  }
  check(shapes() == expected, "run", file.string(),
        "cannot load checkpoint (from another model/vocabulary: tensor shapes differ from "
        "config.json and labels.json)");
  check_loaded_tensors(model, file);
}
}  // namespace

LoadedRun load_run(const fs::path& run, c10::Device device) {
  check(fs::is_directory(run), "run", run.string(), "run folder not found");
  for (const auto& f : {config_file(run), vocab_file(run), checkpoint_file(run)})
    check(fs::exists(f), "run", f.string(), "missing from the run folder");
  LoadedRun loaded;
  loaded.config = config_from_json(read_run_json(config_file(run)), config_file(run).string());
  loaded.vocab = data::LabelVocab::load(vocab_file(run));
  loaded.model = build_model(loaded.config, static_cast<int64_t>(loaded.vocab.size()));
  load_checkpoint(*loaded.model, checkpoint_file(run));
  if (loaded.config.recipe.normalize == "band" && uses_audio(loaded.config)) {
    check(fs::exists(norm_file(run)), "run", norm_file(run).string(),
          "missing from the run folder");
    loaded.norm = data::load_band_stats(norm_file(run), loaded.config.n_mels);
  }
  loaded.calibration =
      load_calibration(calibration_file(run), Calibration{0.0, loaded.config.recipe.min_tags, {}});
  // Files the recipe relies on must be there: without them predict would
  // quietly answer something else than the run was measured with.
  const auto& r = loaded.config.recipe;
  const bool multi = loaded.vocab.multi_label();
  if (fits_classic(loaded.config, multi)) {
    check(fs::exists(classic_file(run)), "run", classic_file(run).string(),
          "missing from the run folder (recipe classic_blend > 0)");
    loaded.classic = std::make_shared<const models::ClassicLinear>(load_classic(classic_file(run)));
  }
  check(fs::exists(artist_labels_file(run)) || (multi ? r.artist_tag_mix : r.artist_prior) == 0,
        "run", artist_labels_file(run).string(),
        "missing from the run folder (recipe artist_prior / artist_tag_mix > 0)");
  if (fs::exists(artist_labels_file(run)))
    loaded.artist_labels = load_artist_labels(artist_labels_file(run), loaded.vocab.size());
  loaded.model->to(device);
  loaded.model->eval();
  return loaded;
}

}  // namespace melclass::train
