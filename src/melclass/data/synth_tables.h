#pragma once
// The label and metadata files of the synthetic dataset (pandas column-layout
// JSON, the competition's columns), written once every track is rendered.

#include <vector>

#include "melclass/data/synth.h"
#include "melclass/data/synth_meta.h"

namespace melclass::data::synth {

/// Writes train/train_label, test/test_label, the task's q{n}_test.json and
/// {track,artist,album}_meta.json. Track i (position) has id 1000 + i,
/// test[i] and style[i] tell its part and class. Mood: test tracks keep only
/// tags some training track has (topped up from their spare tags), so that
/// evaluation never meets a tag training could not learn.
void write_synth_tables(const SynthOptions& options, const std::vector<bool>& test,
                        const std::vector<int>& style, const Catalogue& catalogue,
                        std::vector<TrackMeta> meta);

}  // namespace melclass::data::synth
