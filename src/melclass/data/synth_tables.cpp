#include "melclass/data/synth_tables.h"

#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "melclass/core/atomic_file.h"
#include "melclass/data/dataset.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace melclass::data::synth {
namespace {

constexpr int kFirstId = 1000;

// A table in pandas' column layout, filled row by row.
class ColumnTable {
 public:
  void add(const std::string& column, const json& value) {
    auto& cells = data_[column];
    if (cells.is_null()) cells = json::object();
    cells[std::to_string(cells.size())] = value;
  }
  void write(const fs::path& path) const {
    write_file_atomically(path, [&](std::ostream& out) { out << data_.dump() << "\n"; });
  }

 private:
  json data_ = json::object();
};

json artist_names(const TrackMeta& m, const Catalogue& c) {
  json names = json::array();
  for (int a : m.artists) names.push_back(c.artists[static_cast<size_t>(a)].name);
  return names;
}

// Mood: test tracks keep tags seen in training, topped up from their spares.
void keep_seen_tags(const std::vector<bool>& test, std::vector<TrackMeta>& meta) {
  std::map<std::string, int> counts;
  for (size_t i = 0; i < meta.size(); ++i)
    if (!test[i])
      for (const auto& t : meta[i].tags) ++counts[t];
  std::string most_common;
  for (const auto& [tag, n] : counts)
    if (most_common.empty() || n > counts[most_common]) most_common = tag;
  for (size_t i = 0; i < meta.size(); ++i) {
    if (!test[i]) continue;
    std::vector<std::string> kept;
    for (const auto* list : {&meta[i].tags, &meta[i].spare_tags})
      for (const auto& t : *list)
        if (kept.size() < meta[i].tags.size() && counts.count(t)) kept.push_back(t);
    if (kept.empty()) kept.push_back(most_common);
    meta[i].tags = kept;
  }
}

json label_cell(Task task, int style, const TrackMeta& m) {
  if (task == Task::kMood) return m.tags;
  return style_label(task, style);
}

void write_track_meta(const fs::path& path, const Catalogue& c,
                      const std::vector<TrackMeta>& meta) {
  ColumnTable t;
  for (size_t i = 0; i < meta.size(); ++i) {
    const TrackMeta& m = meta[i];
    const Album& album = c.albums[static_cast<size_t>(m.album)];
    json artist_index = json::array();
    for (int a : m.artists) artist_index.push_back(c.artists[static_cast<size_t>(a)].index);
    t.add("track_index", kFirstId + static_cast<int>(i));
    t.add("album_index", album.index);
    t.add("track_title", m.title);
    t.add("play_time", m.play_time);
    t.add("artist_index_list", artist_index);
    t.add("artist_name_list", artist_names(m, c));
    t.add("is_oversea", c.artists[static_cast<size_t>(m.artists[0])].oversea ? "Y" : "N");
    t.add("album_title", album.title);
    t.add("genre", m.genre);
    t.add("has_lyric", m.has_lyric);
    t.add("has_tag", m.has_tag);
  }
  t.write(path);
}

void write_catalogue(const fs::path& dir, const Catalogue& c) {
  ColumnTable artists, albums;
  for (const Artist& a : c.artists) {
    artists.add("artist_index", a.index);
    artists.add("artist_name", a.name);
    artists.add("artist_type", a.type);
    artists.add("is_oversea", a.oversea ? "Y" : "N");
    artists.add("country", a.country);
    artists.add("gender", a.gender);
    artists.add("debut_ymd", a.debut);
  }
  for (const Album& b : c.albums) {
    const Artist& a = c.artists[static_cast<size_t>(b.artist)];
    albums.add("album_index", b.index);
    albums.add("album_title", b.title);
    albums.add("production_name", b.production);
    albums.add("agency_name", b.agency);
    albums.add("release_ymd", b.release);
    albums.add("is_live", b.live ? "Y" : "N");
    albums.add("is_oversea", a.oversea ? "Y" : "N");
    albums.add("artist_name_list", json::array({a.name}));
  }
  artists.write(dir / "artist_meta.json");
  albums.write(dir / "album_meta.json");
}

}  // namespace

void write_synth_tables(const SynthOptions& o, const std::vector<bool>& test,
                        const std::vector<int>& style, const Catalogue& c,
                        std::vector<TrackMeta> meta) {
  if (o.task == Task::kMood) keep_seen_tags(test, meta);
  const std::string label = task_info(o.task).label_column;
  const bool genre = o.task == Task::kGenre;
  ColumnTable train, answers, order;
  for (size_t i = 0; i < meta.size(); ++i) {
    const TrackMeta& m = meta[i];
    const int id = kFirstId + static_cast<int>(i);
    const std::string album = c.albums[static_cast<size_t>(m.album)].title;
    ColumnTable& labels = test[i] ? answers : train;
    labels.add("track_index", id);
    if (test[i]) {  // q{n}_test.json: the order of the test part and its metadata
      order.add("track_index", id);
      order.add("track_title", m.title);
      order.add("artist_name_list", artist_names(m, c));
      if (genre) order.add("album_name", album);
    } else if (genre) {  // rush6's train_label carries the same columns
      train.add("track_title", m.title);
      train.add("artist_name_list", artist_names(m, c));
      train.add("album_name", album);
    }
    labels.add(label, label_cell(o.task, style[i], m));
  }
  const fs::path meta_dir = meta_dir_path(o.root, Split::kTrain);
  write_track_meta(meta_dir / "track_meta.json", c, meta);
  write_catalogue(meta_dir, c);
  order.write(test_meta_path(o.root, o.task));
  answers.write(test_label_path(o.root));
  train.write(train_label_path(o.root));
}

}  // namespace melclass::data::synth
