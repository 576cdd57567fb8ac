#include "melclass/data/synth_instruments.h"

#include <algorithm>
#include <cmath>

namespace melclass::data::synth {
namespace {

constexpr int kTableBits = 10;
constexpr int kTableSize = 1 << kTableBits;  // samples per cycle
constexpr int kPhaseShift = 32 - kTableBits;
constexpr float kFracScale = 1.0f / static_cast<float>(1u << kPhaseShift);
constexpr int kOctaves = 8;
constexpr double kBaseHz = 32.703;  // C1
constexpr double kMaxPartialHz = 7600.0;
constexpr int kMaxHarmonics = 48;
constexpr double kPhaseUnit = 4294967296.0;  // 2^32: one cycle of a uint32 phase

const std::vector<float>& sine_table() {
  static const std::vector<float> table = [] {
    std::vector<float> t(kTableSize + 1);
    for (int i = 0; i <= kTableSize; ++i)
      t[static_cast<size_t>(i)] = static_cast<float>(std::sin(2.0 * M_PI * i / kTableSize));
    return t;
  }();
  return table;
}

// Linear interpolation in a [kTableSize + 1] table at a uint32 phase.
inline float lookup(const float* table, uint32_t phase) {
  const uint32_t i = phase >> kPhaseShift;
  const float frac = static_cast<float>(phase & ((1u << kPhaseShift) - 1)) * kFracScale;
  return table[i] + frac * (table[i + 1] - table[i]);
}

inline uint32_t phase_step(double hz) {
  return static_cast<uint32_t>(hz / kSampleRate * kPhaseUnit);
}

inline float decay_factor(double seconds) {
  return static_cast<float>(std::exp(-1.0 / (std::max(seconds, 1e-4) * kSampleRate)));
}

}  // namespace

Wavetables::Wavetables(double rolloff, double even)
    : tables_(static_cast<size_t>(kOctaves * (kTableSize + 1)), 0.0f) {
  const std::vector<float>& sine = sine_table();
  for (int octave = 0; octave < kOctaves; ++octave) {
    float* t = &tables_[static_cast<size_t>(octave * (kTableSize + 1))];
    const double top = kBaseHz * std::pow(2.0, octave + 1);
    const int harmonics = std::clamp(static_cast<int>(kMaxPartialHz / top), 1, kMaxHarmonics);
    double power = 0;
    for (int k = 1; k <= harmonics; ++k) {
      const float a = static_cast<float>(std::pow(k, -rolloff) * (k % 2 == 0 ? even : 1.0));
      power += 0.5 * a * a;
      for (int i = 0; i < kTableSize; ++i)
        t[i] += a * sine[static_cast<size_t>((k * i) % kTableSize)];
    }
    const float scale =
        static_cast<float>(1.0 / std::sqrt(std::max(power, 1e-12)) / std::sqrt(2.0));
    for (int i = 0; i < kTableSize; ++i) t[i] *= scale;
    t[kTableSize] = t[0];
  }
}

const float* Wavetables::table(double hz) const {
  const int octave =
      std::clamp(static_cast<int>(std::floor(std::log2(hz / kBaseHz))), 0, kOctaves - 1);
  return &tables_[static_cast<size_t>(octave * (kTableSize + 1))];
}

void play_note(std::vector<float>& out, int64_t start, int64_t length, int midi, float amp,
               const Voice& v) {
  const int64_t n = static_cast<int64_t>(out.size());
  if (start >= n || start < 0 || amp <= 0.0f) return;
  const double hz = 440.0 * std::pow(2.0, (midi - 69) / 12.0);
  const float* table = v.tables->table(hz);
  const float* sine = sine_table().data();
  const Envelope& env = v.envelope;
  const int64_t attack = std::max<int64_t>(1, static_cast<int64_t>(env.attack * kSampleRate));
  const int64_t end =
      std::min(n, start + length + static_cast<int64_t>(5 * env.release * kSampleRate));
  const float kd = decay_factor(env.decay), kr = decay_factor(env.release);
  const float sustain = static_cast<float>(env.sustain);
  const float depth = static_cast<float>(v.vibrato * std::log(2.0) / 12.0);
  const uint32_t base = phase_step(hz), lfo_step = phase_step(5.5 * 64);
  uint32_t phase = 0, step = base, lfo = 0;
  float d = 1.0f, r = 1.0f;
  float* o = out.data();
  for (int64_t t = start, i = 0; t < end; ++t, ++i) {
    if (depth > 0 && (i & 63) == 0) {  // vibrato: update the pitch every 4 ms
      step = static_cast<uint32_t>(base * (1.0f + depth * lookup(sine, lfo)));
      lfo += lfo_step;
    }
    float e;
    if (i < attack) {
      e = static_cast<float>(i) / static_cast<float>(attack);
    } else {
      e = sustain + (1.0f - sustain) * d;
      d *= kd;
    }
    if (i >= length) e *= r, r *= kr;
    o[t] += amp * e * lookup(table, phase);
    phase += step;
  }
}

void kick(std::vector<float>& out, int64_t start, float amp) {
  const int64_t end =
      std::min<int64_t>(static_cast<int64_t>(out.size()), start + kSampleRate * 3 / 10);
  const float* sine = sine_table().data();
  const float k_env = decay_factor(0.12), k_sweep = decay_factor(0.03);
  float env = amp, sweep = 1.0f;
  uint32_t phase = 0;
  for (int64_t t = start; t < end; ++t) {
    out[static_cast<size_t>(t)] += env * lookup(sine, phase);
    phase += phase_step(45.0 + 105.0 * sweep);
    env *= k_env;
    sweep *= k_sweep;
  }
}

void snare(std::vector<float>& out, int64_t start, float amp, float tone, Rng& rng) {
  const int64_t end = std::min<int64_t>(static_cast<int64_t>(out.size()), start + kSampleRate / 4);
  const float* sine = sine_table().data();
  const float k_noise = decay_factor(0.07), k_body = decay_factor(0.04);
  const float a = static_cast<float>(1.0 - std::exp(-2.0 * M_PI * 1500.0 / kSampleRate));
  float noise_env = amp, body_env = 0.6f * amp, low = 0.0f;
  uint32_t phase = 0;
  const uint32_t step = phase_step(190.0);
  for (int64_t t = start; t < end; ++t) {
    const float x = rng.noise();
    low += a * (x - low);  // one-pole low-pass; x - low is the high band
    const float noise = (1.0f - tone) * 1.5f * low + tone * (x - low);
    out[static_cast<size_t>(t)] += noise_env * noise + body_env * lookup(sine, phase);
    phase += step;
    noise_env *= k_noise;
    body_env *= k_body;
  }
}

void hat(std::vector<float>& out, int64_t start, float amp, float tone, bool open, Rng& rng) {
  const double decay = open ? 0.09 : 0.015;
  const int64_t end = std::min<int64_t>(static_cast<int64_t>(out.size()),
                                        start + static_cast<int64_t>(5 * decay * kSampleRate));
  const float k = decay_factor(decay);
  float env = amp, previous = 0.0f;
  for (int64_t t = start; t < end; ++t) {
    const float x = rng.noise();
    const float high = x - previous;  // first difference: +6 dB/octave
    previous = x;
    out[static_cast<size_t>(t)] += env * (tone * high + (1.0f - tone) * 0.5f * (x + high));
    env *= k;
  }
}

}  // namespace melclass::data::synth
