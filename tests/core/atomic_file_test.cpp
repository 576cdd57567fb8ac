// core/atomic_file: whole folders written atomically, and file writes that
// refuse to replace what is not a regular file.

#include <stdexcept>

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"

namespace fs = std::filesystem;
using melclass::testing::count_entries;
using melclass::testing::read_bytes;
using melclass::testing::TempDir;
using melclass::testing::write_text;

namespace {

bool always(const fs::path&) { return true; }
bool never(const fs::path&) { return false; }

}  // namespace

TEST(AtomicFolder, NewFolderAppearsOnlyWhenComplete) {
  TempDir dir;
  const fs::path target = dir / "runs/run";
  fs::path seen;
  melclass::write_folder_atomically(
      target,
      [&](const fs::path& tmp) {
        seen = tmp;
        EXPECT_FALSE(fs::exists(target)) << "visible before it is complete";
        EXPECT_EQ(tmp.parent_path(), target.parent_path());
        write_text(tmp / "a.txt", "a");
      },
      never);
  EXPECT_EQ(read_bytes(target / "a.txt"), "a");
  EXPECT_FALSE(fs::exists(seen));
  EXPECT_EQ(count_entries(target.parent_path()), 1u);
}

TEST(AtomicFolder, ReplacesAnEarlierFolderWhole) {
  TempDir dir;
  const fs::path target = dir / "run";
  write_text(target / "stale.txt", "old");
  melclass::write_folder_atomically(
      target, [](const fs::path& tmp) { write_text(tmp / "new.txt", "new"); }, always);
  EXPECT_FALSE(fs::exists(target / "stale.txt"));
  EXPECT_EQ(read_bytes(target / "new.txt"), "new");
  EXPECT_EQ(count_entries(dir.path()), 1u) << "the old folder or the temporary was left behind";
}

TEST(AtomicFolder, FailureLeavesTheEarlierFolderAsItWas) {
  TempDir dir;
  const fs::path target = dir / "run";
  write_text(target / "model.pt", "old");
  EXPECT_THROW(melclass::write_folder_atomically(
                   target,
                   [](const fs::path& tmp) {
                     write_text(tmp / "model.pt", "half");
                     throw std::runtime_error("training failed");
                   },
                   always),
               std::runtime_error);
  EXPECT_EQ(read_bytes(target / "model.pt"), "old");
  EXPECT_EQ(count_entries(dir.path()), 1u) << "the temporary folder was left behind";
}

TEST(AtomicFolder, RefusesFoldersItDidNotWriteAndFiles) {
  TempDir dir;
  write_text(dir / "music/song.txt", "keep me");
  bool called = false;
  auto write = [&](const fs::path&) { called = true; };
  EXPECT_MELCLASS_ERROR(melclass::write_folder_atomically(dir / "music", write, never),
                        "io: ", "holds files melclass did not write: not replaced");
  EXPECT_EQ(read_bytes(dir / "music/song.txt"), "keep me");
  write_text(dir / "file", "x");
  EXPECT_MELCLASS_ERROR(melclass::write_folder_atomically(dir / "file", write, always),
                        "exists and is not a folder");
  EXPECT_MELCLASS_ERROR(melclass::write_folder_atomically(dir / ".", write, always),
                        "name a folder");
  EXPECT_FALSE(called) << "refused before any work";
  fs::create_directories(dir / "empty");
  melclass::write_folder_atomically(dir / "empty/", write, never);  // empty: replaced
  EXPECT_TRUE(called);
}

TEST(AtomicFile, RefusesToReplaceFoldersAndSpecialFiles) {
  TempDir dir;
  auto write = [](std::ostream& out) { out << "x"; };
  fs::create_directories(dir / "folder");
  EXPECT_MELCLASS_ERROR(melclass::write_file_atomically(dir / "folder", write),
                        "io: ", "is a folder, not a file");
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  EXPECT_MELCLASS_ERROR(melclass::write_file_atomically(dir / "fifo", write),
                        "exists and is not a regular file");
  EXPECT_TRUE(fs::is_fifo(dir / "fifo")) << "the FIFO was replaced";
}

TEST(AtomicFile, WritesThroughASymbolicLink) {
  TempDir dir;
  write_text(dir / "real.json", "old");
  fs::create_symlink(dir / "real.json", dir / "link.json");
  melclass::write_file_atomically(dir / "link.json", [](std::ostream& out) { out << "new"; });
  EXPECT_TRUE(fs::is_symlink(dir / "link.json")) << "the link was replaced by a file";
  EXPECT_EQ(read_bytes(dir / "real.json"), "new");
}

TEST(ReadTextFile, FolderIsNamedAsOne) {
  TempDir dir;
  EXPECT_MELCLASS_ERROR(melclass::read_text_file(dir.path()), "io: ", "is a folder, not a file");
}

TEST(AtomicFolder, LongNamesLinksAndLeftoversOfKilledRuns) {
  TempDir dir;
  auto write = [](const fs::path& tmp) { write_text(tmp / "a.txt", "a"); };
  const std::string long_name(240, 'r');  // legal; its hidden siblings are cut to fit
  melclass::write_folder_atomically(dir / long_name, write, never);
  EXPECT_TRUE(fs::exists(dir / long_name / "a.txt"));
  // A run killed midway left its staging folder; pid 4194399 is above Linux's
  // pid_max, so it cannot be alive. A later run into the same name removes it.
  write_text(dir / ".run.partial4194399/model.pt", "half");
  melclass::write_folder_atomically(dir / "run", write, never);
  EXPECT_FALSE(fs::exists(dir / ".run.partial4194399"));
  fs::create_directory_symlink(dir / "run", dir / "link");
  EXPECT_MELCLASS_ERROR(melclass::write_folder_atomically(dir / "link", write, always),
                        "is a symbolic link");
  write_text(dir / "file", "x");
  EXPECT_MELCLASS_ERROR(melclass::write_folder_atomically(dir / "file/run", write, always),
                        "is not a folder");
}
