#pragma once
// Audio rendering of a TrackPlan: wavetable instruments (chords, melody,
// bass) and noise/sine drums (kick, snare, hi-hat), mixed, low-passed,
// levelled and faded. Tight loops over float buffers; a 30 s track renders in
// a few milliseconds on one core.

#include <vector>

#include "melclass/data/synth_plan.h"

namespace melclass::data::synth {

/// 16 kHz mono audio in [-1, 1], round(plan.seconds * 16000) samples (at
/// least one). Deterministic for the plan and the generator's state.
std::vector<float> render_track(const TrackPlan& plan, Rng& rng);

}  // namespace melclass::data::synth
