#include "melclass/data/synth_plan.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace melclass::data::synth {
namespace {

constexpr double kWholeTrackSwap = 0.08;  // whole track sounds like another style
constexpr double kCrossover = 0.2;        // per parameter group

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr uint16_t steps(std::initializer_list<int> on) {
  uint16_t mask = 0;
  for (int s : on) mask = static_cast<uint16_t>(mask | (1u << s));
  return mask;
}

// Means (and a few spreads) of each style's parameters. Style names follow
// the genre task: 0 ballad/enka, 1 R&B, 2 reggae, 3 J-rock.
struct StyleSpec {
  double bpm, bpm_sd, p_major;
  double rolloff, even, attack, decay, sustain, vibrato, drive;
  ChordPattern chords;
  double melody_density, bass_density, bass_level;
  int melody_midi;
  double drums;
  DrumPattern pattern;
  double ghost, swing, snare_tone;
  double loudness_db, dynamics_db, cutoff_hz;
};

const StyleSpec& spec(int style) {
  // One style per row, fields in StyleSpec's order.
  // clang-format off
  static const StyleSpec kSpecs[kStyles] = {
      // Ballad / enka: slow, mostly minor, soft bowed-string pads with
      // vibrato, sparse drums, quiet with wide dynamics, dark.
      {70, 9, 0.35, 1.7, 0.8, 0.09, 1.2, 0.6, 0.30, 0.0, ChordPattern::kPad, 0.7, 0.5, 0.7,
       69, 0.45, {steps({0, 8}), steps({12}), steps({0, 4, 8, 12})}, 0.02, 0.0, 0.3,
       -23, 5, 3000},
      // R&B: mid tempo, swung, mellow electric-piano comping, syncopated kick,
      // back-beat snare, busy melody.
      {94, 9, 0.5, 2.1, 1.0, 0.004, 0.5, 0.15, 0.05, 0.0, ChordPattern::kComp, 1.5, 1.0, 1.0,
       67, 0.9, {steps({0, 7, 10}), steps({4, 12}), steps({0, 2, 4, 6, 8, 10, 12, 14})}, 0.15,
       0.35, 0.5, -17, 3, 5000},
      // Reggae: slow-ish one-drop, major, staccato off-beat skank, heavy bass.
      {76, 7, 0.65, 1.3, 0.5, 0.002, 0.12, 0.0, 0.0, 0.0, ChordPattern::kOffbeat, 0.8, 1.0, 1.6,
       65, 0.8, {steps({8}), steps({8}), steps({2, 6, 10, 14})}, 0.05, 0.1, 0.7,
       -16, 2, 4000},
      // J-rock: fast, bright distorted strummed power chords, dense drums,
      // loud and compressed.
      {148, 16, 0.55, 0.8, 1.0, 0.003, 2.0, 0.7, 0.02, 0.7, ChordPattern::kStrum, 1.5, 2.0, 0.9,
       71, 1.0, {steps({0, 6, 8}), steps({4, 12}), steps({0, 2, 4, 6, 8, 10, 12, 14})}, 0.1,
       0.0, 0.85, -12, 2, 7000},
  };
  // clang-format on
  return kSpecs[style];
}

// Multiplicative jitter: value * exp(N(0, sd)).
double jitter(double value, double sd, Rng& rng) { return value * std::exp(rng.normal(0, sd)); }

int other_style(int style, Rng& rng) { return (style + 1 + rng.below(kStyles - 1)) % kStyles; }

void draw_timbre(const StyleSpec& s, TrackPlan& p, Rng& rng) {
  p.rolloff = std::clamp(jitter(s.rolloff, 0.2, rng), 0.5, 3.0);
  p.even = std::clamp(s.even + rng.normal(0, 0.15), 0.0, 1.0);
  p.attack = std::clamp(jitter(s.attack, 0.4, rng), 0.001, 0.3);
  p.decay = std::clamp(jitter(s.decay, 0.3, rng), 0.05, 4.0);
  p.sustain = std::clamp(s.sustain + rng.normal(0, 0.1), 0.0, 0.9);
  p.vibrato = std::max(0.0, s.vibrato + rng.normal(0, 0.05));
  p.drive = std::clamp(s.drive + rng.normal(0, 0.15), 0.0, 1.0);
}

void draw_arrangement(const StyleSpec& s, TrackPlan& p, Rng& rng) {
  p.chords = s.chords;
  p.melody_density = std::clamp(jitter(s.melody_density, 0.3, rng), 0.25, 4.0);
  p.melody_midi = s.melody_midi + rng.below(7) - 3;
  p.bass_density = s.bass_density;
  p.bass_level = jitter(s.bass_level, 0.2, rng);
}

void draw_drums(const StyleSpec& s, TrackPlan& p, Rng& rng) {
  p.drums = std::clamp(s.drums + rng.normal(0, 0.15), 0.0, 1.2);
  if (rng.chance(0.05)) p.drums = 0;  // the odd track without drums
  p.pattern = s.pattern;
  if (rng.chance(0.3)) p.pattern.hat = steps({0, 4, 8, 12});  // quarter-note hats
  if (rng.chance(0.2)) p.pattern.hat = 0xFFFF;                // sixteenths
  p.ghost = std::clamp(s.ghost + rng.normal(0, 0.04), 0.0, 0.5);
  p.swing = std::clamp(s.swing + rng.normal(0, 0.08), 0.0, 0.6);
  p.snare_tone = std::clamp(s.snare_tone + rng.normal(0, 0.12), 0.0, 1.0);
}

void draw_mix(const StyleSpec& s, TrackPlan& p, Rng& rng) {
  p.loudness_db = s.loudness_db + rng.normal(0, 2.5);
  p.dynamics_db = std::max(0.0, s.dynamics_db + rng.normal(0, 1.0));
  p.cutoff_hz = std::clamp(jitter(s.cutoff_hz, 0.25, rng), 1200.0, 7900.0);
}

double pattern_hits(uint16_t mask) {
  int n = 0;
  for (int s = 0; s < 16; ++s) n += (mask >> s) & 1;
  return n;
}

}  // namespace

Rng::Rng(uint64_t seed, uint64_t stream) {
  uint64_t x = seed ^ (0xD1B54A32D192ED03ull * (stream + 1));
  for (auto& s : s_) s = splitmix64(x);
}

uint64_t Rng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
double Rng::normal(double mean, double sd) {
  const double u1 = 1.0 - uniform(), u2 = uniform();
  return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}
int Rng::below(int n) { return static_cast<int>(uniform() * n); }
bool Rng::chance(double p) { return uniform() < p; }
float Rng::noise() { return static_cast<float>(static_cast<int32_t>(next() >> 32)) * 0x1.0p-31f; }

TrackPlan draw_plan(int style, double seconds, Rng& rng) {
  TrackPlan p;
  p.style = style;
  p.seconds = seconds;
  const int sound = rng.chance(kWholeTrackSwap) ? other_style(style, rng) : style;
  auto group = [&] { return rng.chance(kCrossover) ? spec(other_style(sound, rng)) : spec(sound); };
  const StyleSpec& tempo = group();
  p.bpm = std::clamp(rng.normal(tempo.bpm, tempo.bpm_sd), 50.0, 200.0);
  p.major = rng.chance(group().p_major);
  p.key = rng.below(12);
  p.progression = rng.below(4);
  draw_timbre(group(), p, rng);
  draw_arrangement(group(), p, rng);
  draw_drums(group(), p, rng);
  draw_mix(group(), p, rng);
  // Structure: quiet intro and fades, scaled down for short tracks.
  p.intro = std::min(seconds * 0.2, rng.chance(0.6) ? rng.uniform(1.0, 10.0) : 0.0);
  p.fade_in = std::min(seconds * 0.1, rng.uniform(0.0, 2.0));
  p.fade_out = std::min(seconds * 0.2, rng.chance(0.6) ? rng.uniform(2.0, 10.0) : 0.3);
  return p;
}

std::array<double, 5> plan_features(const TrackPlan& p) {
  const double bright =
      0.5 * (std::log(p.cutoff_hz / 4500.0) / 0.45 + (1.4 - p.rolloff) / 0.5) + 0.8 * p.drive;
  const double busy = p.drums *
                          (pattern_hits(p.pattern.kick) + pattern_hits(p.pattern.snare) +
                           0.5 * pattern_hits(p.pattern.hat)) /
                          8.0 +
                      0.3 * p.melody_density;
  std::array<double, 5> f = {(p.bpm - 100.0) / 30.0, p.major ? 1.0 : -1.0,
                             (p.loudness_db + 17.0) / 4.0, bright, (busy - 1.0) / 0.5};
  for (double& v : f) v = std::clamp(v, -2.0, 2.0);
  return f;
}

}  // namespace melclass::data::synth
