#pragma once
// Instruments of the synthetic tracks: band-limited wavetable oscillators with
// attack/decay/sustain/release envelopes, and drums (sine-sweep kick, noise
// snare and hi-hat). Each adds its sound into a float buffer at 16 kHz.

#include <cstdint>
#include <vector>

#include "melclass/data/synth_plan.h"

namespace melclass::data::synth {

/// Single-cycle tables (1024 samples, one per octave from C1) of a harmonic
/// profile: harmonic k has amplitude k^-rolloff, times `even` when k is even;
/// each octave's table keeps only harmonics below 7.6 kHz (no aliasing at
/// 16 kHz for notes inside that octave), scaled to unit RMS.
class Wavetables {
 public:
  Wavetables(double rolloff, double even);
  /// Table for a note of `hz`: [1025] floats, the last repeating the first.
  const float* table(double hz) const;

 private:
  std::vector<float> tables_;
};

/// Linear attack, exponential decay (time constant `decay`) towards
/// `sustain`, exponential release (time constant `release`) after the note.
struct Envelope {
  double attack, decay, sustain, release;  ///< seconds, seconds, level 0..1, seconds
};

struct Voice {
  const Wavetables* tables;
  Envelope envelope;
  double vibrato;  ///< depth in semitones at 5.5 Hz
};

/// Adds a note of MIDI pitch `midi`, held for `length` samples from `start`
/// (its release rings on after), with peak amplitude `amp`.
void play_note(std::vector<float>& out, int64_t start, int64_t length, int midi, float amp,
               const Voice& voice);

/// Kick: sine sweeping 150 -> 45 Hz, 0.12 s decay.
void kick(std::vector<float>& out, int64_t start, float amp);
/// Snare: noise (darker to brighter with `tone` 0..1) plus a 190 Hz body.
void snare(std::vector<float>& out, int64_t start, float amp, float tone, Rng& rng);
/// Hi-hat: high-passed noise, closed (15 ms) or open (90 ms).
void hat(std::vector<float>& out, int64_t start, float amp, float tone, bool open, Rng& rng);

}  // namespace melclass::data::synth
