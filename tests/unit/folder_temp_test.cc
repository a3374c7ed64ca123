// Temporary files of atomic writes: their name pattern, and removing the ones a killed
// run left behind (only ours, only when their writer is gone).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "folder_test_util.h"
#include "image/atomic_temp_files.h"

using namespace toonbox::image;

namespace toonbox {
namespace {

using folder_test::TempDir;
using folder_test::write_bytes;

// The PID of a process that has exited and been reaped: nobody owns it for now.
long dead_pid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return static_cast<long>(child);
}

TEST(FolderTemp, NamePatternRoundTrips) {
  const std::string name = atomic_temp_name("photo.png", 4242, 0xfeedbeef);
  EXPECT_EQ(name, ".photo.png.toonbox-4242-00000000feedbeef.tmp");
  EXPECT_EQ(atomic_temp_owner(name), 4242);
  const std::string long_name = atomic_temp_name(std::string(300, 'x') + ".png", 7, 1);
  EXPECT_LE(long_name.size(), 255u);
  EXPECT_EQ(atomic_temp_owner(long_name), 7);
}

TEST(FolderTemp, OtherNamesAreNotOurs) {
  for (const char* name : {"photo.png", ".notes.tmp", "photo.png.toonbox-12-00000000feedbeef.tmp",
                           ".p.png.toonbox-12-feedbeef.tmp", ".p.png.toonbox-x1-00000000feedbeef.tmp",
                           ".p.png.toonbox-12-00000000feedbeef.tmp.bak", ".p.png.toonbox-12-00000000FEEDBEEF.tmp"})
    EXPECT_FALSE(atomic_temp_owner(name).has_value()) << name;
}

TEST(FolderTemp, RemovesOnlyStaleTempFilesOfOurPattern) {
  TempDir t;
  const long dead = dead_pid(), alive = static_cast<long>(getpid());
  write_bytes(t / "out/a.png", "done");
  write_bytes(t / ("out/" + atomic_temp_name("b.png", dead, 1)), "partial");
  write_bytes(t / ("out/sub/" + atomic_temp_name("c.png", dead, 2)), "partial");
  write_bytes(t / ("out/" + atomic_temp_name("d.png", alive, 3)), "being written");
  write_bytes(t / "out/.user.tmp", "someone else's");
  write_bytes(t / ("elsewhere/" + atomic_temp_name("e.png", dead, 4)), "not in OUTDIR");

  auto flat = remove_stale_atomic_temps(t / "out", /*recursive=*/false);
  ASSERT_TRUE(flat.is_ok());
  EXPECT_EQ(flat->removed, 1);
  EXPECT_EQ(flat->kept_live, 1);
  auto deep = remove_stale_atomic_temps(t / "out", /*recursive=*/true);
  ASSERT_TRUE(deep.is_ok());
  EXPECT_EQ(deep->removed, 1);
  EXPECT_EQ(folder_test::files_under(t / "out"),
            (std::vector<std::string>{".d.png.toonbox-" + std::to_string(alive) + "-0000000000000003.tmp", ".user.tmp",
                                      "a.png"}));
  EXPECT_TRUE(folder_test::fs::exists(t / ("elsewhere/" + atomic_temp_name("e.png", dead, 4))));
}

TEST(FolderTemp, MissingFolderIsNothingToClean) {
  auto r = remove_stale_atomic_temps("/nonexistent/toonbox/out", true);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->removed, 0);
}

TEST(FolderTemp, AtomicWriteLeavesOnlyTheTarget) {
  TempDir t;
  ASSERT_TRUE(atomic_write_file(t / "x.png", {1, 2, 3}).is_ok());
  EXPECT_EQ(folder_test::files_under(t.path()), (std::vector<std::string>{"x.png"}));
}

}  // namespace
}  // namespace toonbox
