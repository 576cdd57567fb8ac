#include "melclass/data/synth_render.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "melclass/data/synth_instruments.h"

namespace melclass::data::synth {
namespace {

constexpr int kBarsPerSection = 8;
constexpr int kScales[2][7] = {{0, 2, 3, 5, 7, 8, 10}, {0, 2, 4, 5, 7, 9, 11}};  // minor, major
// Chord progressions as scale degrees, one chord per bar, per mode.
constexpr int kProgressions[2][4][4] = {
    {{0, 5, 2, 6}, {0, 3, 4, 0}, {0, 6, 5, 4}, {0, 3, 6, 2}},   // minor: i-VI-III-VII, ...
    {{0, 5, 3, 4}, {0, 3, 4, 0}, {0, 4, 5, 3}, {3, 4, 0, 0}}};  // major: I-vi-IV-V, ...

double db(double decibels) { return std::pow(10.0, decibels / 20.0); }

struct Section {
  float gain = 1;
  bool drums = true, melody = true, quiet = false;
};

class Renderer {
 public:
  Renderer(const TrackPlan& plan, Rng& rng)
      : p_(plan),
        rng_(rng),
        n_(std::max<int64_t>(1, std::llround(plan.seconds * kSampleRate))),
        step_(60.0 / plan.bpm * kSampleRate / 4.0),
        bars_(static_cast<int>(std::ceil(n_ / (16.0 * step_)))),
        scale_(kScales[plan.major ? 1 : 0]),
        lead_tables_(plan.rolloff, plan.even),
        bass_tables_(2.5, 0.6),
        tonal_(static_cast<size_t>(n_), 0.0f),
        mix_(static_cast<size_t>(n_), 0.0f) {}

  std::vector<float> render() {
    plan_sections();
    const Voice chord{
        &lead_tables_,
        {p_.attack, p_.decay, p_.sustain, p_.chords == ChordPattern::kPad ? 0.4 : 0.06},
        p_.vibrato};
    const Voice lead{
        &lead_tables_, {p_.attack, p_.decay, std::max(p_.sustain, 0.3), 0.08}, p_.vibrato};
    const Voice bass{&bass_tables_, {0.004, 0.3, 0.5, 0.04}, 0.0};
    int melody_degree = 0;
    for (int bar = 0; bar < bars_; ++bar) {
      const Section& s = sections_[static_cast<size_t>(bar / kBarsPerSection)];
      const int degree = kProgressions[p_.major ? 1 : 0][p_.progression][bar % 4];
      play_chords(bar, degree, s, chord);
      if (s.melody) play_melody(bar, melody_degree, s, lead);
      play_bass(bar, degree, s, bass);
      if (s.drums && p_.drums > 0) play_drums(bar, s, (bar + 1) % kBarsPerSection == 0);
    }
    master();
    return std::move(mix_);
  }

 private:
  int64_t at_step(int bar, double step) const {
    return static_cast<int64_t>((bar * 16 + step) * step_);
  }
  int degree_pitch(int degree) const {  // semitones above the tonic
    const int octave = degree >= 0 ? degree / 7 : -((-degree + 6) / 7);
    return scale_[degree - 7 * octave] + 12 * octave;
  }

  void plan_sections() {
    const int count = bars_ / kBarsPerSection + 1;
    const int64_t intro_end = static_cast<int64_t>(p_.intro * kSampleRate);
    for (int i = 0; i < count; ++i) {
      Section s;
      s.gain = static_cast<float>(db(rng_.normal(0.0, p_.dynamics_db)));
      s.drums = rng_.chance(0.9);
      s.melody = rng_.chance(0.8);
      s.quiet = at_step(i * kBarsPerSection, 0) < intro_end;
      if (s.quiet) s.gain = static_cast<float>(db(-12)), s.drums = s.melody = false;
      sections_.push_back(s);
    }
  }

  void play_chords(int bar, int degree, const Section& s, const Voice& v) {
    const int root = 48 + (p_.key + scale_[degree]) % 12;
    int tones[3] = {root, root + degree_pitch(degree + 2) - degree_pitch(degree),
                    root + degree_pitch(degree + 4) - degree_pitch(degree)};
    if (p_.chords == ChordPattern::kStrum)
      tones[1] = root + 7, tones[2] = root + 12;  // power chord
    static const uint16_t kHits[4] = {0x0001, 0x1010, 0x0441, 0x5555};
    static const double kLength[4] = {16, 0.4, 2, 2};  // in steps
    static const float kAmp[4] = {0.16f, 0.22f, 0.18f, 0.13f};
    const int k = static_cast<int>(p_.chords);
    const uint16_t hits =
        p_.chords == ChordPattern::kOffbeat && rng_.chance(0.3) ? 0x4444 : kHits[k];
    for (int step = 0; step < 16; ++step) {
      if (!((hits >> step) & 1)) continue;
      const float amp = kAmp[k] * s.gain * static_cast<float>(rng_.uniform(0.85, 1.0));
      for (int tone : tones)
        play_note(tonal_, at_step(bar, step), static_cast<int64_t>(kLength[k] * step_), tone, amp,
                  v);
    }
  }

  void play_melody(int bar, int& degree, const Section& s, const Voice& v) {
    const int span = std::max(1, static_cast<int>(std::lround(4.0 / p_.melody_density)));
    const int tonic = p_.melody_midi - ((p_.melody_midi - p_.key) % 12 + 12) % 12;
    for (int step = 0; step < 16; step += span) {
      if (rng_.chance(0.15)) continue;  // rest
      degree = std::clamp(degree + rng_.below(5) - 2, -4, 9);
      const float amp = 0.22f * s.gain * static_cast<float>(rng_.uniform(0.7, 1.0));
      play_note(tonal_, at_step(bar, step), static_cast<int64_t>(0.9 * span * step_),
                tonic + degree_pitch(degree), amp, v);
    }
  }

  void play_bass(int bar, int degree, const Section& s, const Voice& v) {
    const int span = std::max(1, static_cast<int>(std::lround(4.0 / p_.bass_density)));
    const int root = 36 + (p_.key + scale_[degree]) % 12;
    const float amp = 0.35f * static_cast<float>(p_.bass_level) * s.gain;
    for (int step = 0; step < 16; step += span) {
      const int pitch = rng_.chance(0.2) ? root + 7 : root;
      play_note(mix_, at_step(bar, step), static_cast<int64_t>(0.85 * span * step_), pitch, amp, v);
    }
  }

  void play_drums(int bar, const Section& s, bool fill) {
    const float level = static_cast<float>(p_.drums) * s.gain;
    const float tone = static_cast<float>(p_.snare_tone);
    for (int step = 0; step < 16; ++step) {
      const double swing = (step & 1) ? p_.swing : 0.0;
      const int64_t t =
          std::max<int64_t>(0, at_step(bar, step + swing) +
                                   static_cast<int64_t>(rng_.normal(0, 0.003) * kSampleRate));
      const float vel =
          level * static_cast<float>(rng_.uniform(0.8, 1.0)) * (step % 4 ? 0.85f : 1.0f);
      if ((p_.pattern.kick >> step) & 1) kick(mix_, t, 0.9f * vel);
      if (((p_.pattern.snare >> step) & 1) || (fill && step >= 12 && rng_.chance(0.5)))
        snare(mix_, t, 0.55f * vel, tone, rng_);
      if ((p_.pattern.hat >> step) & 1) {
        hat(mix_, t, 0.2f * vel, tone, rng_.chance(0.05), rng_);
      } else if (rng_.chance(p_.ghost)) {
        hat(mix_, t, 0.08f * vel, tone, false, rng_);
      }
    }
  }

  // Drive, sum, low-pass, level to the target RMS, fades, noise floor.
  // One-pole low-pass: y += a (x - y), a = 1 - exp(-2 pi fc / fs) (Smith,
  // "Introduction to Digital Filters", 2007, one-pole section).
  void master() {
    if (p_.drive > 0.02) {
      const float g = 1.0f + 12.0f * static_cast<float>(p_.drive);
      for (float& x : tonal_) {
        const float v = x * g;
        x = 0.4f * v / (1.0f + std::fabs(v));
      }
    }
    const float a = static_cast<float>(1.0 - std::exp(-2.0 * M_PI * p_.cutoff_hz / kSampleRate));
    float y = 0;
    double energy = 0;
    for (size_t i = 0; i < mix_.size(); ++i) {
      y += a * (mix_[i] + tonal_[i] - y);
      mix_[i] = y;
      energy += static_cast<double>(y) * y;
    }
    const double rms = std::sqrt(energy / static_cast<double>(n_));
    const float gain = static_cast<float>(db(p_.loudness_db) / std::max(rms, 1e-9));
    const double fade_in = std::max(1.0, p_.fade_in * kSampleRate);
    const double fade_out = std::max(1.0, p_.fade_out * kSampleRate);
    // Broadband floor (hiss, room) 30-50 dB below the music, as recordings have.
    const float floor =
        static_cast<float>(std::sqrt(3.0) * db(p_.loudness_db - rng_.uniform(30, 50)));
    for (int64_t i = 0; i < n_; ++i) {
      const double fade = std::min({1.0, i / fade_in, (n_ - i) / fade_out});
      const float x =
          mix_[static_cast<size_t>(i)] * gain * static_cast<float>(fade) + floor * rng_.noise();
      mix_[static_cast<size_t>(i)] = std::clamp(x, -1.0f, 1.0f);
    }
  }

  const TrackPlan& p_;
  Rng& rng_;
  const int64_t n_;
  const double step_;  // samples per sixteenth note
  const int bars_;
  const int* scale_;
  const Wavetables lead_tables_, bass_tables_;
  std::vector<float> tonal_, mix_;  // chord + melody bus (driven), everything else
  std::vector<Section> sections_;
};

}  // namespace

std::vector<float> render_track(const TrackPlan& plan, Rng& rng) {
  return Renderer(plan, rng).render();
}

}  // namespace melclass::data::synth
