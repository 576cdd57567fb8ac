// data::Dataset on small datasets written by the test in the competition layout.

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/data/dataset.h"
#include "melclass/data/track_path.h"
#include "melclass/io/json_table.h"
#include "melclass/io/npy.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace melclass::data;
using melclass::testing::TempDir;
using melclass::testing::write_json;
using melclass::testing::write_text;

namespace {

// A pandas column table from rows of {column: value}; row i gets index key i.
json table(const std::vector<json>& rows) {
  json t = json::object();
  for (size_t i = 0; i < rows.size(); ++i)
    for (auto it = rows[i].begin(); it != rows[i].end(); ++it)
      t[it.key()][std::to_string(i)] = it.value();
  return t;
}

class DatasetTest : public ::testing::Test {
 protected:
  const fs::path& root() const { return dir_.path(); }

  void write_mel(Split split, const std::string& id, int64_t frames = 4) {
    melclass::io::write_npy(mel_dir_path(root(), split) / (id + ".npy"),
                            at::ones({1, 128, frames}));
  }
  void train_labels(const json& t) { write_json(train_label_path(root()), t); }
  void train_meta(const std::string& name, const json& t) {
    write_json(meta_dir_path(root(), Split::kTrain) / name, t);
  }
  Dataset load(Split split = Split::kTrain, std::optional<Task> task = std::nullopt,
               bool skip_missing = false, bool spectrograms = true) {
    DatasetOptions o;
    o.root = root();
    o.task = task;
    o.skip_missing = skip_missing;
    o.require_spectrograms = spectrograms;
    return Dataset::load(o, split);
  }
  static std::vector<std::string> ids(const Dataset& ds) {
    std::vector<std::string> out;
    for (const auto& t : ds.tracks()) out.push_back(t.id);
    return out;
  }

  TempDir dir_{"dataset"};
};

}  // namespace

TEST_F(DatasetTest, DetectsStationTask) {
  train_labels(table({{{"track_index", 17}, {"station_name", "Q2"}},
                      {{"track_index", 3}, {"station_name", "Q1"}}}));
  write_mel(Split::kTrain, "17");
  write_mel(Split::kTrain, "3");
  const auto ds = load();
  EXPECT_EQ(ds.task(), Task::kStation);
  EXPECT_EQ(ds.split(), Split::kTrain);
  EXPECT_EQ(ids(ds), (std::vector<std::string>{"17", "3"}));
  EXPECT_EQ(ds.tracks()[0].labels, std::vector<std::string>{"Q2"});
  EXPECT_EQ(ds.label_set(), (std::vector<std::string>{"Q1", "Q2"}));
  EXPECT_EQ(ds.spectrogram_file(ds.tracks()[1]), mel_dir_path(root(), Split::kTrain) / "3.npy");
  EXPECT_EQ(ds.skipped_missing(), 0u);
}

TEST_F(DatasetTest, DetectsMoodTaskWithSortedUniqueTags) {
  train_labels(table({{{"track_index", 1}, {"mood_tag", json::array({"sad", "calm", "sad"})}},
                      {{"track_index", 2}, {"mood_tag", json::array({"happy"})}}}));
  const auto ds = load(Split::kTrain, std::nullopt, false, /*spectrograms=*/false);
  EXPECT_EQ(ds.task(), Task::kMood);
  EXPECT_EQ(ds.tracks()[0].labels, (std::vector<std::string>{"calm", "sad"}));
  EXPECT_EQ(ds.label_set(), (std::vector<std::string>{"calm", "happy", "sad"}));
}

TEST_F(DatasetTest, DetectsGenreTaskAndKeepsOtherColumnsAsMeta) {
  train_labels(table({{{"track_index", 1}, {"genre", "레게"}, {"track_title", "夜"}}}));
  const auto ds = load(Split::kTrain, std::nullopt, false, false);
  EXPECT_EQ(ds.task(), Task::kGenre);
  EXPECT_EQ(ds.tracks()[0].labels, std::vector<std::string>{"레게"});
  EXPECT_EQ(ds.tracks()[0].meta["track_title"], "夜");
  EXPECT_FALSE(ds.tracks()[0].meta.contains("genre"));
  EXPECT_FALSE(ds.tracks()[0].meta.contains("track_index"));
}

TEST_F(DatasetTest, TaskOverride) {
  // Both columns: detection picks station_name, the override picks genre.
  train_labels(table({{{"track_index", 1}, {"station_name", "Q1"}, {"genre", "R&B"}}}));
  EXPECT_EQ(load(Split::kTrain, std::nullopt, false, false).task(), Task::kStation);
  const auto ds = load(Split::kTrain, Task::kGenre, false, false);
  EXPECT_EQ(ds.task(), Task::kGenre);
  EXPECT_EQ(ds.tracks()[0].labels, std::vector<std::string>{"R&B"});
  EXPECT_EQ(ds.tracks()[0].meta["station_name"], "Q1");
  // Override naming a column that is not there.
  EXPECT_MELCLASS_ERROR(load(Split::kTrain, Task::kMood, false, false),
                        train_label_path(root()).string(), "missing label column 'mood_tag'");
}

TEST_F(DatasetTest, UndetectableTaskAndMissingColumns) {
  train_labels(table({{{"track_index", 1}, {"label", "x"}}}));
  EXPECT_MELCLASS_ERROR(load(Split::kTrain, std::nullopt, false, false),
                        train_label_path(root()).string(), "cannot detect the task");
  train_labels(table({{{"id", 1}, {"genre", "x"}}}));
  EXPECT_MELCLASS_ERROR(load(Split::kTrain, std::nullopt, false, false),
                        "missing 'track_index' column");
}

TEST_F(DatasetTest, RootAndLabelFileMissing) {
  DatasetOptions o;
  o.root = root() / "nope";
  EXPECT_MELCLASS_ERROR(Dataset::load(o, Split::kTrain), "nope", "not a directory");
  EXPECT_MELCLASS_ERROR(load(), train_label_path(root()).string(), "label file not found");
  write_text(train_label_path(root()), "{\"track_index\": ");
  EXPECT_MELCLASS_ERROR(load(), train_label_path(root()).string(), "malformed JSON");
}

TEST_F(DatasetTest, TrackIdsAsNumbersAndStrings) {
  train_labels(table({{{"track_index", 17}, {"station_name", "Q1"}},
                      {{"track_index", "abc"}, {"station_name", "Q2"}},
                      {{"track_index", 5.0}, {"station_name", "Q3"}},
                      {{"track_index", "0042"}, {"station_name", "Q4"}}}));
  for (const char* id : {"17", "abc", "5", "0042"}) write_mel(Split::kTrain, id);
  const auto ds = load();
  EXPECT_EQ(ids(ds), (std::vector<std::string>{"17", "abc", "5", "0042"}));
}

TEST_F(DatasetTest, DuplicateTrackIdFails) {
  train_labels(table({{{"track_index", 7}, {"station_name", "Q1"}},
                      {{"track_index", "7"}, {"station_name", "Q2"}}}));
  EXPECT_MELCLASS_ERROR(load(Split::kTrain, std::nullopt, false, false), "duplicate track id 7");
}

TEST_F(DatasetTest, UnsafeTrackIdsRefused) {
  for (const json& id : {json("../../etc/passwd"), json("a/b"), json(".hidden"), json(".."),
                         json("a\\b"), json(std::string("a\0b", 3))}) {
    SCOPED_TRACE(id.dump());
    train_labels(table({{{"track_index", id}, {"station_name", "Q1"}}}));
    EXPECT_MELCLASS_ERROR(load(Split::kTrain, std::nullopt, false, false),
                          train_label_path(root()).string(), "refusing track id",
                          "plain file name");
  }
  for (const json& id : {json(""), json(true), json(2.5), json::array({1}), json()}) {
    SCOPED_TRACE(id.dump());
    train_labels(table({{{"track_index", id}, {"station_name", "Q1"}}}));
    EXPECT_MELCLASS_ERROR(load(Split::kTrain, std::nullopt, false, false),
                          "is not an integer or a non-empty string");
  }
}

TEST(TrackPath, ValidateAndBuildPath) {
  EXPECT_EQ(validate_track_id(json(12), "s"), "12");
  EXPECT_EQ(validate_track_id(json("x.y"), "s"), "x.y");
  EXPECT_MELCLASS_ERROR(validate_track_id(json(std::string(201, 'a')), "s"), "refusing");
  EXPECT_EQ(validate_track_id(json(std::string(200, 'a')), "s"), std::string(200, 'a'));
  EXPECT_EQ(spectrogram_path("/m", "12"), fs::path("/m/12.npy"));
}

TEST_F(DatasetTest, MalformedLabelCells) {
  const std::string src = train_label_path(root()).string();
  train_labels(table(
      {{{"track_index", 1}, {"station_name", "Q1"}}, {{"track_index", 2}, {"station_name", 5}}}));
  EXPECT_MELCLASS_ERROR(load(Split::kTrain, std::nullopt, false, false), src,
                        "row 1: label must be a non-empty string, got 5");
  train_labels(table({{{"track_index", 1}, {"station_name", ""}}}));
  EXPECT_MELCLASS_ERROR(load(Split::kTrain, std::nullopt, false, false), "row 0: label");
  train_labels(table({{{"track_index", 1}, {"mood_tag", "calm"}}}));
  EXPECT_MELCLASS_ERROR(load(Split::kTrain, std::nullopt, false, false), src,
                        "row 0: tags must be a list");
  train_labels(table({{{"track_index", 1}, {"mood_tag", json::array({"calm", 3})}}}));
  EXPECT_MELCLASS_ERROR(load(Split::kTrain, std::nullopt, false, false),
                        "row 0: tag must be a non-empty string, got 3");
  // A row that lacks the label cell: null.
  json t = table({{{"track_index", 1}, {"genre", "a"}}, {{"track_index", 2}}});
  train_labels(t);
  EXPECT_MELCLASS_ERROR(load(Split::kTrain, std::nullopt, false, false), "row 1", "got null");
}

TEST_F(DatasetTest, TestSplitFollowsDataIdxOrderAndJoinsLabelsById) {
  // q1_test.json with 12 rows keyed "0".."11", written in string order.
  json meta = {{"track_index", json::object()}, {"track_title", json::object()}};
  for (int i = 0; i < 12; ++i) {
    meta["track_index"][std::to_string(i)] = 100 + i;
    meta["track_title"][std::to_string(i)] = "t" + std::to_string(i);
    write_mel(Split::kTest, std::to_string(100 + i));
  }
  write_json(test_meta_path(root(), Task::kStation), meta);
  // test_label lists the same tracks in reverse order.
  json labels = {{"track_index", json::object()}, {"station_name", json::object()}};
  for (int i = 0; i < 12; ++i) {
    labels["track_index"][std::to_string(i)] = 111 - i;
    labels["station_name"][std::to_string(i)] = "Q" + std::to_string((111 - i) % 4 + 1);
  }
  write_json(test_label_path(root()), labels);

  const auto ds = load(Split::kTest, Task::kStation);
  ASSERT_EQ(ds.tracks().size(), 12u);
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(ds.tracks()[i].id, std::to_string(100 + i));
    EXPECT_EQ(ds.tracks()[i].labels,
              std::vector<std::string>{"Q" + std::to_string((100 + i) % 4 + 1)});
    EXPECT_EQ(ds.tracks()[i].meta["track_title"], "t" + std::to_string(i));
  }
  EXPECT_EQ(ds.mel_dir(), mel_dir_path(root(), Split::kTest));

  DatasetOptions o;
  o.root = root();
  o.task = Task::kStation;
  o.with_labels = false;
  write_text(test_label_path(root()), "not json");  // not read without labels
  EXPECT_TRUE(Dataset::load(o, Split::kTest).tracks()[0].labels.empty());
}

TEST_F(DatasetTest, TestSplitErrors) {
  EXPECT_MELCLASS_ERROR(load(Split::kTest), "test split needs a task");
  EXPECT_MELCLASS_ERROR(load(Split::kTest, Task::kMood), "q2_test.json",
                        "test metadata file not found");
  write_json(test_meta_path(root(), Task::kGenre),
             table({{{"track_index", 1}}, {{"track_index", 2}}}));
  EXPECT_MELCLASS_ERROR(load(Split::kTest, Task::kGenre, false, false),
                        test_label_path(root()).string(), "test label file not found");
  write_json(test_label_path(root()), table({{{"track_index", 1}, {"genre", "a"}}}));
  EXPECT_MELCLASS_ERROR(load(Split::kTest, Task::kGenre, false, false),
                        test_label_path(root()).string(), "no label for test track 2");
  write_json(test_label_path(root()), table({{{"track_index", 1}, {"station_name", "a"}}}));
  EXPECT_MELCLASS_ERROR(load(Split::kTest, Task::kGenre, false, false),
                        "missing 'track_index' or 'genre' column");
}

TEST_F(DatasetTest, MetadataJoins) {
  train_labels(table({{{"track_index", 10}, {"station_name", "Q1"}, {"track_title", "from label"}},
                      {{"track_index", 11}, {"station_name", "Q2"}},
                      {{"track_index", 12}, {"station_name", "Q3"}}}));
  // Rows in another order than the label file; track 12 has no metadata.
  train_meta("track_meta.json", table({{{"track_index", 11},
                                        {"album_index", 2},
                                        {"artist_index_list", json::array({5, 6, 99})},
                                        {"track_title", "eleven"}},
                                       {{"track_index", 10},
                                        {"album_index", 1.0},
                                        {"artist_index_list", json::array({6})},
                                        {"track_title", "ten"}}}));
  train_meta("album_meta.json",
             table({{{"album_index", 1}, {"album_title", "Alterego"}, {"is_live", "N"}},
                    {{"album_index", 2}, {"album_title", "앨범"}, {"is_live", "Y"}}}));
  train_meta("artist_meta.json",
             table({{{"artist_index", 5}, {"artist_name", "김연우"}, {"gender", "남성"}},
                    {{"artist_index", 6}, {"artist_name", "Various Artists"}}}));
  train_meta("lyric_meta.json", table({{{"track_index", 12}, {"has_lyric", 1.0}}}));
  const auto ds = load(Split::kTrain, std::nullopt, false, false);
  const json& t10 = ds.tracks()[0].meta;
  const json& t11 = ds.tracks()[1].meta;
  const json& t12 = ds.tracks()[2].meta;
  EXPECT_EQ(t10["track_title"], "from label");  // label file columns win
  EXPECT_EQ(t11["track_title"], "eleven");
  EXPECT_EQ(t10["album.album_title"], "Alterego");  // album_index 1.0 matches album 1
  EXPECT_EQ(t11["album.album_title"], "앨범");
  EXPECT_EQ(t11["album.is_live"], "Y");
  EXPECT_FALSE(t11.contains("album.album_index"));
  ASSERT_TRUE(t11["artists"].is_array());
  ASSERT_EQ(t11["artists"].size(), 2u);  // artist 99 is unknown: skipped
  EXPECT_EQ(t11["artists"][0]["artist_name"], "김연우");
  EXPECT_EQ(t11["artists"][0]["gender"], "남성");
  EXPECT_FALSE(t11["artists"][0].contains("artist_index"));
  EXPECT_EQ(t11["artists"][1]["artist_name"], "Various Artists");
  EXPECT_EQ(t10["artists"].size(), 1u);
  EXPECT_FALSE(t12.contains("album_index"));
  EXPECT_FALSE(t12.contains("artists"));
  EXPECT_EQ(t12["has_lyric"], 1.0);
}

TEST_F(DatasetTest, TestSplitUsesTrainMetadataWhenItHasNone) {
  write_json(test_meta_path(root(), Task::kStation), table({{{"track_index", 7}}}));
  write_json(test_label_path(root()), table({{{"track_index", 7}, {"station_name", "Q1"}}}));
  train_meta("track_meta.json", table({{{"track_index", 7}, {"genre", "발라드"}}}));
  const auto ds = load(Split::kTest, Task::kStation, false, false);
  EXPECT_EQ(ds.tracks()[0].meta["genre"], "발라드");
}

TEST_F(DatasetTest, MalformedMetadataNamesFile) {
  train_labels(table({{{"track_index", 1}, {"station_name", "Q1"}}}));
  write_text(meta_dir_path(root(), Split::kTrain) / "album_meta.json", "{oops");
  EXPECT_MELCLASS_ERROR(load(Split::kTrain, std::nullopt, false, false),
                        "metadata: ", "album_meta.json", "malformed JSON");
}

TEST_F(DatasetTest, LinkFileMelFolder) {
  // Like real4q: train/train_data/mel_spectrogram is a small file holding
  // "../../mel", the path of the shared folder relative to train/train_data.
  const fs::path shared = root() / "mel";
  fs::create_directories(shared);
  melclass::io::write_npy(shared / "1.npy", at::ones({1, 128, 3}));
  melclass::io::write_npy(shared / "2.npy", at::ones({1, 128, 3}));
  write_text(mel_dir_path(root(), Split::kTrain), "../../mel\n");
  train_labels(table({{{"track_index", 1}, {"station_name", "Q1"}},
                      {{"track_index", 2}, {"station_name", "Q2"}}}));
  const auto ds = load();
  EXPECT_EQ(ds.tracks().size(), 2u);
  EXPECT_EQ(fs::canonical(ds.mel_dir()), fs::canonical(shared));
  EXPECT_TRUE(fs::is_regular_file(ds.spectrogram_file(ds.tracks()[0])));
}

TEST_F(DatasetTest, ResolveFolder) {
  const fs::path real = root() / "real";
  fs::create_directories(real);
  EXPECT_EQ(resolve_folder(real), real);  // a folder: unchanged
  write_text(root() / "link", "real \r\n");
  EXPECT_EQ(fs::canonical(resolve_folder(root() / "link")), fs::canonical(real));
  write_text(root() / "dangling", "nowhere");
  EXPECT_EQ(resolve_folder(root() / "dangling"), root() / "dangling");
  write_text(root() / "big", std::string(2000, 'a'));
  EXPECT_EQ(resolve_folder(root() / "big"), root() / "big");
  write_text(root() / "empty", "");
  EXPECT_EQ(resolve_folder(root() / "empty"), root() / "empty");
  EXPECT_EQ(resolve_folder(root() / "absent"), root() / "absent");
}

TEST_F(DatasetTest, MissingSpectrogramsFailOrAreSkipped) {
  train_labels(table({{{"track_index", 1}, {"station_name", "Q1"}},
                      {{"track_index", 2}, {"station_name", "Q2"}},
                      {{"track_index", 3}, {"station_name", "Q1"}},
                      {{"track_index", 4}, {"station_name", "Q2"}}}));
  write_mel(Split::kTrain, "1");
  write_mel(Split::kTrain, "3");
  const std::string first = (mel_dir_path(root(), Split::kTrain) / "2.npy").string();
  EXPECT_MELCLASS_ERROR(load(), "dataset: " + first + ": ", "spectrogram file not found",
                        "2 missing");
  const auto ds = load(Split::kTrain, std::nullopt, /*skip_missing=*/true);
  EXPECT_EQ(ds.skipped_missing(), 2u);
  EXPECT_EQ(ids(ds), (std::vector<std::string>{"1", "3"}));
  // Metadata-only loading does not look at spectrograms.
  EXPECT_EQ(load(Split::kTrain, std::nullopt, false, false).tracks().size(), 4u);
}

TEST_F(DatasetTest, SymlinkLoopCountsAsMissing) {
  train_labels(table({{{"track_index", 1}, {"station_name", "Q1"}},
                      {{"track_index", 2}, {"station_name", "Q2"}}}));
  write_mel(Split::kTrain, "1");
  const fs::path loop = mel_dir_path(root(), Split::kTrain) / "2.npy";
  fs::create_symlink(loop, loop);  // stat() fails with ELOOP
  EXPECT_MELCLASS_ERROR(load(), "dataset: " + loop.string() + ": ", "spectrogram file not found");
  EXPECT_EQ(ids(load(Split::kTrain, std::nullopt, /*skip_missing=*/true)),
            (std::vector<std::string>{"1"}));
}

TEST_F(DatasetTest, AllSpectrogramsMissingIsAnError) {
  train_labels(table({{{"track_index", 1}, {"station_name", "Q1"}}}));
  EXPECT_MELCLASS_ERROR(load(Split::kTrain, std::nullopt, true), "no usable tracks");
}

TEST(RealKitMetadata, LoadsCompetitionMetaFiles) {
  const fs::path dir =
      fs::path(MELCLASS_SOURCE_DIR) / ".." / "shared" / "data" / "airush2020-kit" / "q1" / "meta";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no real kit metadata at " << dir;
  const auto track = melclass::io::JsonTable::load(dir / "track_meta.json", "metadata");
  const auto album = melclass::io::JsonTable::load(dir / "album_meta.json", "metadata");
  const auto artist = melclass::io::JsonTable::load(dir / "artist_meta.json", "metadata");
  EXPECT_EQ(track.rows(), 6456u);
  EXPECT_EQ(album.rows(), 5804u);
  EXPECT_EQ(artist.rows(), 4639u);
  for (const char* c : {"track_index", "album_index", "artist_index_list", "track_title", "genre"})
    EXPECT_TRUE(track.has_column(c)) << c;
  EXPECT_TRUE(album.has_column("album_index"));
  EXPECT_TRUE(artist.has_column("artist_index"));
  // Row order follows the integer index: row 10 is key "10", not "2".
  EXPECT_EQ(track.index_key(10), "10");
  EXPECT_EQ(track.at(0, "track_index"), 1);
  EXPECT_EQ(track.at(0, "track_title"), "거짓말");
  EXPECT_TRUE(track.at(0, "artist_index_list").is_array());
  EXPECT_EQ(track.index_by("track_index").size(), track.rows());
  EXPECT_TRUE(artist.at(0, "debut_ymd").is_null());
  // Every track's album resolves through json_key (ints, or floats such as 2.0).
  const auto albums = album.index_by("album_index");
  size_t resolved = 0;
  for (size_t r = 0; r < track.rows(); ++r)
    resolved += albums.count(melclass::io::json_key(track.at(r, "album_index")));
  EXPECT_GT(resolved, track.rows() * 9 / 10);
}
