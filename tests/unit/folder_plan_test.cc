// Folder planning: which files are images, output names, and the refusals decided
// before any work (collisions, output inside the input tree, existing outputs, loops).
#include <gtest/gtest.h>

#include "folder/folder_plan.h"
#include "folder_test_util.h"

using namespace toonbox::image;

namespace toonbox::folder {
namespace {

using folder_test::TempDir;
using folder_test::write_bytes;

std::vector<std::string> relatives(const std::vector<PlannedImage>& images) {
  std::vector<std::string> out;
  for (const auto& i : images) out.push_back(i.relative);
  return out;
}

FolderPlanOptions options_for(const TempDir& t, const std::string& in = "in", const std::string& out = "out") {
  FolderPlanOptions o;
  o.input_dir = t / in;
  o.output_dir = t / out;
  return o;
}

TEST(FolderPlan, ImageNamesByExtensionAnyCase) {
  EXPECT_TRUE(is_image_name("a.jpg"));
  EXPECT_TRUE(is_image_name("B.JPEG"));
  EXPECT_TRUE(is_image_name("c.Png"));
  EXPECT_TRUE(is_image_name("d.webp"));
  EXPECT_FALSE(is_image_name("e.gif"));
  EXPECT_FALSE(is_image_name("jpg"));
  EXPECT_FALSE(is_image_name(".hidden.png"));
  EXPECT_FALSE(is_image_name(".a.png.toonbox-12-0123456789abcdef.tmp"));
}

TEST(FolderPlan, OutputNameReplacesTheExtension) {
  EXPECT_EQ(output_name_for("a.jpeg", ImageFormat::kPng), "a.png");
  EXPECT_EQ(output_name_for("sub/a.b.JPG", ImageFormat::kJpeg), "sub/a.b.jpg");
  EXPECT_EQ(output_name_for("v1.2/photo.png", ImageFormat::kWebp), "v1.2/photo.webp");
  EXPECT_EQ(output_name_for("dir.d/noext", ImageFormat::kPng), "dir.d/noext.png");
}

TEST(FolderPlan, ScansSortedAndSkipsOtherFiles) {
  TempDir t;
  for (const char* name : {"in/c.webp", "in/a.JPG", "in/b.png", "in/notes.txt", "in/.hidden.png", "in/sub/d.png"})
    write_bytes(t / name, "x");
  auto plan = plan_folder(options_for(t));
  ASSERT_TRUE(plan.is_ok()) << plan.status().message();
  EXPECT_EQ(relatives(plan->todo), (std::vector<std::string>{"a.JPG", "b.png", "c.webp"}));
  EXPECT_EQ(plan->todo[0].input, t / "in/a.JPG");
  EXPECT_EQ(plan->todo[0].output, t / "out/a.png");
}

TEST(FolderPlan, RecursiveMirrorsSubfolders) {
  TempDir t;
  for (const char* name : {"in/z.png", "in/sub/b.jpg", "in/sub/deeper/c.png", "in/.git/x.png"}) write_bytes(t / name, "x");
  auto o = options_for(t);
  o.recursive = true;
  o.format = ImageFormat::kWebp;
  auto plan = plan_folder(o);
  ASSERT_TRUE(plan.is_ok()) << plan.status().message();
  EXPECT_EQ(relatives(plan->todo), (std::vector<std::string>{"sub/b.jpg", "sub/deeper/c.png", "z.png"}));
  EXPECT_EQ(plan->todo[1].output, t / "out/sub/deeper/c.webp");
}

TEST(FolderPlan, CollisionsAreListedBeforeAnyWork) {
  TempDir t;
  for (const char* name : {"in/a.jpg", "in/a.png", "in/b.png", "in/sub/c.JPEG", "in/sub/c.webp"}) write_bytes(t / name, "x");
  auto o = options_for(t);
  o.recursive = true;
  auto plan = plan_folder(o);
  ASSERT_FALSE(plan.is_ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = plan.status().message();
  EXPECT_NE(m.find("2 output names"), std::string::npos) << m;
  EXPECT_NE(m.find("a.png <- a.jpg, a.png"), std::string::npos) << m;
  EXPECT_NE(m.find("sub/c.png <- sub/c.JPEG, sub/c.webp"), std::string::npos) << m;
  EXPECT_FALSE(folder_test::fs::exists(t / "out")) << "planning must not create anything";
}

TEST(FolderPlan, RefusesTheInputFolderAsOutput) {
  TempDir t;
  write_bytes(t / "in/a.jpg", "x");
  auto o = options_for(t, "in", "in/../in");
  o.allow_inside = true;  // even then: outputs would become inputs of the next run
  auto plan = plan_folder(o);
  ASSERT_FALSE(plan.is_ok());
  EXPECT_NE(plan.status().message().find("is the input folder"), std::string::npos) << plan.status().message();
}

TEST(FolderPlan, RefusesOutputInsideTheInputTreeUnlessAllowed) {
  TempDir t;
  write_bytes(t / "in/a.jpg", "x");
  write_bytes(t / "in/cartoons/old.png", "x");  // a previous run's output
  auto o = options_for(t, "in", "in/cartoons");
  o.recursive = true;
  auto refused = plan_folder(o);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("--allow-inside"), std::string::npos) << refused.status().message();

  o.allow_inside = true;
  auto plan = plan_folder(o);
  ASSERT_TRUE(plan.is_ok()) << plan.status().message();
  EXPECT_EQ(relatives(plan->todo), (std::vector<std::string>{"a.jpg"})) << "OUTDIR must not be scanned";
  ASSERT_EQ(plan->notes.size(), 1u);
  EXPECT_NE(plan->notes[0].find("cartoons/"), std::string::npos);
}

TEST(FolderPlan, RefusesOutputsThatWouldLandInsideTheInputTree) {
  // OUTDIR contains the input folder: with --recursive, in/in/a.png would be written to
  // OUTDIR/in/a.png, which is inside the input tree.
  TempDir t;
  write_bytes(t / "in/in/a.png", "x");
  FolderPlanOptions o;
  o.input_dir = t / "in";
  o.output_dir = t.path();
  o.recursive = true;
  auto plan = plan_folder(o);
  ASSERT_FALSE(plan.is_ok());
  EXPECT_NE(plan.status().message().find("inside the input folder"), std::string::npos) << plan.status().message();
}

TEST(FolderPlan, ExistingOutputsNeedSkipOrOverwrite) {
  TempDir t;
  for (const char* name : {"in/a.jpg", "in/b.jpg", "in/c.jpg"}) write_bytes(t / name, "x");
  write_bytes(t / "out/b.png", "done");
  auto o = options_for(t);
  auto refused = plan_folder(o);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("1 output already exist"), std::string::npos) << refused.status().message();
  EXPECT_NE(refused.status().message().find("--skip-existing"), std::string::npos);

  o.skip_existing = true;
  auto resumed = plan_folder(o);
  ASSERT_TRUE(resumed.is_ok()) << resumed.status().message();
  EXPECT_EQ(relatives(resumed->todo), (std::vector<std::string>{"a.jpg", "c.jpg"}));
  EXPECT_EQ(relatives(resumed->already_done), (std::vector<std::string>{"b.jpg"}));

  o.skip_existing = false;
  o.overwrite = true;
  auto replaced = plan_folder(o);
  ASSERT_TRUE(replaced.is_ok());
  EXPECT_EQ(replaced->todo.size(), 3u);
}

TEST(FolderPlan, OutputFolderThatIsAFileIsRefused) {
  TempDir t;
  write_bytes(t / "in/a.jpg", "x");
  write_bytes(t / "out", "not a folder");
  auto plan = plan_folder(options_for(t));
  ASSERT_FALSE(plan.is_ok());
  EXPECT_NE(plan.status().message().find("not a folder"), std::string::npos);
}

TEST(FolderPlan, SymlinkLoopIsRefusedWhenRecursive) {
  TempDir t;
  write_bytes(t / "in/sub/a.png", "x");
  folder_test::fs::create_directory_symlink("..", t / "in/sub/loop");
  auto o = options_for(t);
  EXPECT_TRUE(plan_folder(o).is_ok()) << "not recursive: the link is never followed";
  o.recursive = true;
  auto plan = plan_folder(o);
  ASSERT_FALSE(plan.is_ok());
  EXPECT_NE(plan.status().message().find("symlink loop"), std::string::npos) << plan.status().message();
}

TEST(FolderPlan, OutputThroughASymlinkOntoAnInputIsRefused) {
  // OUTDIR/a.png is a path into the input folder by way of a symlinked OUTDIR subfolder.
  TempDir t;
  write_bytes(t / "in/sub/a.png", "x");
  folder_test::fs::create_directories(t / "out");
  folder_test::fs::create_directory_symlink(t / "in/sub", t / "out/sub");
  auto o = options_for(t);
  o.recursive = true;
  o.overwrite = true;
  auto plan = plan_folder(o);
  ASSERT_FALSE(plan.is_ok());
}

// An explicit list of files (`toonbox cartoonize a.jpg b.png -o OUTDIR`): the same
// output checks as a folder, names from each file's own name, the order given.
TEST(FilePlan, KeepsTheOrderAndNamesOutputsByStem) {
  TempDir t;
  for (const char* name : {"x/b.jpg", "y/a.webp"}) write_bytes(t / name, "x");
  auto o = options_for(t, "unused", "out/");
  auto plan = plan_files({t / "x/b.jpg", t / "y/a.webp", t / "missing.png"}, o);
  ASSERT_TRUE(plan.is_ok()) << plan.status().message();
  EXPECT_EQ(relatives(plan->todo), (std::vector<std::string>{"b.jpg", "a.webp", "missing.png"}));
  EXPECT_EQ(plan->todo[0].input, t / "x/b.jpg");
  EXPECT_EQ(plan->todo[0].output, t / "out/b.png");
  EXPECT_EQ(plan->todo[1].output, t / "out/a.png");
}

TEST(FilePlan, TwoInputsWithOneOutputNameAreRefusedNamingBoth) {
  TempDir t;
  for (const char* name : {"x/a.jpg", "y/a.png"}) write_bytes(t / name, "x");
  auto plan = plan_files({t / "x/a.jpg", t / "y/a.png"}, options_for(t));
  ASSERT_FALSE(plan.is_ok());
  EXPECT_NE(plan.status().message().find("a.png <- " + (t / "x/a.jpg") + ", " + (t / "y/a.png")), std::string::npos)
      << plan.status().message();
}

TEST(FilePlan, ExistingOutputsAndInputsAsOutputsAreRefused) {
  TempDir t;
  write_bytes(t / "in/a.png", "x");
  write_bytes(t / "in/b.jpg", "x");
  write_bytes(t / "out/b.png", "x");
  auto onto_input = plan_files({t / "in/a.png"}, options_for(t, "unused", "in"));
  ASSERT_FALSE(onto_input.is_ok());
  EXPECT_NE(onto_input.status().message().find("would overwrite the input"), std::string::npos);
  auto existing = plan_files({t / "in/b.jpg"}, options_for(t));
  ASSERT_FALSE(existing.is_ok());
  EXPECT_NE(existing.status().message().find("already exist"), std::string::npos);
  auto o = options_for(t);
  o.skip_existing = true;
  auto resumed = plan_files({t / "in/a.png", t / "in/b.jpg"}, o);
  ASSERT_TRUE(resumed.is_ok()) << resumed.status().message();
  EXPECT_EQ(relatives(resumed->todo), (std::vector<std::string>{"a.png"}));
  EXPECT_EQ(relatives(resumed->already_done), (std::vector<std::string>{"b.jpg"}));
  write_bytes(t / "file", "x");
  EXPECT_FALSE(plan_files({t / "in/a.png"}, options_for(t, "unused", "file")).is_ok()) << "OUTDIR is a file";
}

}  // namespace
}  // namespace toonbox::folder
