#pragma once
// Metadata of the synthetic dataset: artists and albums (the catalogue),
// track titles in Korean, Japanese and Latin script, the track_meta genre
// column and mood tags. Names and tags correlate with the track's style, but
// imperfectly, as real metadata does.

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "melclass/data/synth_plan.h"
#include "melclass/data/task.h"

namespace melclass::data::synth {

enum class Script { kKorean, kJapanese, kLatin };

struct Artist {
  int index = 0;  ///< artist_index (1-based)
  int style = 0;  ///< the style the artist mostly plays
  Script script = Script::kKorean;
  std::string name, type, country, gender;
  nlohmann::json debut;  ///< "YYYY-MM-DD", "YYYYMMDD" or null, as in the real file
  bool oversea = false;
  std::vector<int> albums;  ///< positions in Catalogue::albums
};

struct Album {
  int index = 0;   ///< album_index (1-based)
  int artist = 0;  ///< position in Catalogue::artists
  std::string title, production, agency, release;
  bool live = false;
};

struct Catalogue {
  std::vector<Artist> artists;
  std::vector<Album> albums;
  std::array<std::vector<int>, kStyles> artists_by_style;
};

/// Artists (about one per five tracks, at least two per style) with one to
/// three albums each, drawn from `rng` alone. Name scripts follow the task:
/// mostly Korean for station and mood (a Korean service), style-dependent for
/// genre (enka mostly Japanese, R&B mostly Latin, ...).
Catalogue make_catalogue(Task task, int tracks, Rng& rng);

/// A track's own metadata, drawn in its worker from its generator.
struct TrackMeta {
  int album = 0;             ///< position in Catalogue::albums
  std::vector<int> artists;  ///< positions in Catalogue::artists (main artist first)
  std::string title;
  std::string genre;         ///< track_meta "genre" column (never the genre-task label)
  int64_t play_time = 0;     ///< epoch milliseconds, as the real column
  nlohmann::json has_lyric;  ///< 1.0, 0.0 or null
  bool has_tag = true;
  std::vector<std::string> tags;        ///< mood: the track's tags, best first (1-5)
  std::vector<std::string> spare_tags;  ///< mood: the next best, for test tracks
};

TrackMeta draw_track_meta(Task task, const TrackPlan& plan, const Catalogue& catalogue, Rng& rng);

/// The label cell of a style: "Q1".."Q4" (station) or the rush6 genre name.
std::string style_label(Task task, int style);

/// The 100 mood tags.
const std::vector<std::string>& mood_tags();

}  // namespace melclass::data::synth
