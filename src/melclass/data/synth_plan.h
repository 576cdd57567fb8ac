#pragma once
// Musical parameters of one synthetic track (used by data/synth.h).
// Four styles carry class identity through musical properties only: tempo,
// mode, instrument timbre and envelopes, arrangement density, drum patterns,
// loudness, dynamics and spectral balance. Each style is a distribution over
// these; parameter groups cross over between styles so classes overlap.

#include <array>
#include <cstdint>

namespace melclass::data::synth {

constexpr int kStyles = 4;
constexpr int kSampleRate = 16000;

/// xoshiro256** (Blackman & Vigna 2018, "Scrambled linear pseudorandom number
/// generators", https://prng.di.unimi.it/) seeded through splitmix64, with its
/// own uniform/normal transforms, so that a seed gives the same bytes with any
/// standard library. Rng(seed, stream): independent streams per track.
class Rng {
 public:
  Rng(uint64_t seed, uint64_t stream);
  uint64_t next();
  double uniform();                       ///< [0, 1)
  double uniform(double lo, double hi);   ///< [lo, hi)
  double normal(double mean, double sd);  ///< Box-Muller
  int below(int n);                       ///< [0, n), n >= 1
  bool chance(double p);
  float noise();  ///< white noise in [-1, 1)

 private:
  uint64_t s_[4];
};

/// How the chord instrument plays: held pads, off-beat staccato "skank",
/// syncopated comping, or eighth-note strumming.
enum class ChordPattern { kPad, kOffbeat, kComp, kStrum };

/// One bar of 16 sixteenth-note steps; bit s = a hit on step s.
struct DrumPattern {
  uint16_t kick = 0, snare = 0, hat = 0;
};

struct TrackPlan {
  int style = 0;  ///< the class, 0..kStyles-1
  double seconds = 30;
  // Tempo and harmony.
  double bpm = 100;
  bool major = true;
  int key = 0;          ///< pitch class of the tonic (0 = C)
  int progression = 0;  ///< index into the chord progressions of the mode
  // Chord and melody instrument: harmonic profile and envelope.
  double rolloff = 1.0;  ///< harmonic k has amplitude k^-rolloff (small = bright)
  double even = 1.0;     ///< weight of even harmonics (0 = hollow, clarinet-like)
  double attack = 0.01;  ///< seconds
  double decay = 0.5;    ///< seconds (exponential time constant)
  double sustain = 0.3;  ///< level the decay tends to, 0..1
  double vibrato = 0.0;  ///< depth in semitones
  double drive = 0.0;    ///< soft-clip distortion of the chord/melody bus, 0 = clean
  // Arrangement.
  ChordPattern chords = ChordPattern::kPad;
  double melody_density = 1.0;  ///< melody notes per beat
  int melody_midi = 67;         ///< centre of the melody register
  double bass_density = 1.0;    ///< bass notes per beat
  double bass_level = 1.0;
  // Percussion.
  double drums = 1.0;  ///< drum bus level, 0 = none
  DrumPattern pattern;
  double ghost = 0.05;      ///< chance of an extra soft hat on an empty step
  double swing = 0.0;       ///< delay of off-beat sixteenths, fraction of a step
  double snare_tone = 0.5;  ///< 0 = dull, 1 = bright snare and hat noise
  // Level and balance.
  double loudness_db = -18;  ///< target RMS, dBFS
  double dynamics_db = 3;    ///< spread of section levels, dB
  double cutoff_hz = 5000;   ///< final one-pole low-pass (spectral balance)
  double intro = 2;          ///< quiet intro (pads only, -12 dB), seconds
  double fade_in = 0.5, fade_out = 3;
};

/// Draws a track's plan for `style` and length `seconds`. With probability
/// 0.08 the whole track takes another style's sound (as stations play the odd
/// track); otherwise each parameter group (tempo, mode, timbre, arrangement,
/// drums, mix) comes from another style with probability 0.2.
TrackPlan draw_plan(int style, double seconds, Rng& rng);

/// Perceptual summary of a plan, each roughly in [-2, 2]: tempo (fast +),
/// mode (major +), loudness (loud +), brightness (bright +), percussion (busy +).
/// Mood tags are drawn from these.
std::array<double, 5> plan_features(const TrackPlan& plan);

}  // namespace melclass::data::synth
