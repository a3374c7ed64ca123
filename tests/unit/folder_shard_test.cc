// --shard K/N (folder_shard.h): the split is a partition, stable when files are added,
// the same on every machine (the hash is pinned), and the job arrays' variables.
#include <gtest/gtest.h>

#include <map>

#include "folder/folder_shard.h"

namespace toonbox::folder {
namespace {

TEST(FolderShard, HashIsFnv1aOnEveryMachine) {
  // Published FNV-1a 64 test vectors: a change here would move files between shards of a
  // run already under way on machines with the old binary.
  EXPECT_EQ(stable_path_hash(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(stable_path_hash("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(stable_path_hash("foobar"), 0x85944171f73967e8ull);
}

TEST(FolderShard, EveryFileInExactlyOneShardAndStableWhenFilesAreAdded) {
  std::vector<std::string> names;
  for (int i = 0; i < 2000; ++i) names.push_back("sub" + std::to_string(i % 7) + "/photo_" + std::to_string(i) + ".jpg");
  for (int n : {1, 2, 3, 4, 16}) {
    std::map<int, int> sizes;
    for (const auto& name : names) {
      int owners = 0;
      for (int k = 0; k < n; ++k) owners += shard_filter(Shard{k, n})(name);
      EXPECT_EQ(owners, 1) << name;
      ++sizes[shard_of(name, n)];
    }
    // Even enough: every shard within 25% of its fair share.
    for (const auto& [k, size] : sizes) EXPECT_NEAR(size, 2000.0 / n, 2000.0 / n * 0.25) << n << " shards";
  }
  // A file's shard depends on its own path only: adding files moves nothing.
  std::map<std::string, int> before;
  for (const auto& name : names) before[name] = shard_of(name, 4);
  names.push_back("new/arrival.png");
  for (const auto& [name, k] : before) EXPECT_EQ(shard_of(name, 4), k);
}

TEST(FolderShard, ParsesKOverN) {
  auto s = parse_shard("2/5");
  ASSERT_TRUE(s.is_ok());
  EXPECT_EQ(s->index, 2);
  EXPECT_EQ(s->count, 5);
  EXPECT_EQ(s->label(), "2/5");
  for (const char* bad : {"5/5", "1", "a/3", "1/0", "-1/3", "1/3x", "/3", "1/", "1/100001"}) {
    auto r = parse_shard(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(parse_shard("4/4").status().message().find("numbered 0..3"), std::string::npos);
}

GetEnv env(std::map<std::string, std::string> vars) {
  auto held = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [held](const char* name) -> const char* {
    auto it = held->find(name);
    return it == held->end() ? nullptr : it->second.c_str();
  };
}

TEST(FolderShard, FromTheEnvironment) {
  auto none = shard_from_environment(env({}));
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->has_value());

  auto k8s = shard_from_environment(env({{"JOB_COMPLETION_INDEX", "3"}, {"TOONBOX_SHARD_COUNT", "8"}}));
  ASSERT_TRUE(k8s.is_ok()) << k8s.status().message();
  EXPECT_EQ((*k8s)->label(), "3/8");
  EXPECT_EQ((*k8s)->source, "JOB_COMPLETION_INDEX");
  auto k8s_no_count = shard_from_environment(env({{"JOB_COMPLETION_INDEX", "3"}}));
  EXPECT_NE(k8s_no_count.status().message().find("TOONBOX_SHARD_COUNT"), std::string::npos);

  auto slurm = shard_from_environment(env({{"SLURM_ARRAY_TASK_ID", "1"},
                                           {"SLURM_ARRAY_TASK_COUNT", "4"},
                                           {"SLURM_ARRAY_TASK_MIN", "0"},
                                           {"SLURM_ARRAY_TASK_MAX", "3"}}));
  ASSERT_TRUE(slurm.is_ok()) << slurm.status().message();
  EXPECT_EQ((*slurm)->label(), "1/4");
  // Resubmitting task 2 alone (sbatch --array=2): the array has 1 task, min 2.
  auto resubmitted = env({{"SLURM_ARRAY_TASK_ID", "2"},
                          {"SLURM_ARRAY_TASK_COUNT", "1"},
                          {"SLURM_ARRAY_TASK_MIN", "2"},
                          {"SLURM_ARRAY_TASK_MAX", "2"}});
  auto refused = shard_from_environment(resubmitted);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("not 0..N-1"), std::string::npos);
  auto with_count = shard_from_environment(env({{"SLURM_ARRAY_TASK_ID", "2"},
                                                {"SLURM_ARRAY_TASK_COUNT", "1"},
                                                {"SLURM_ARRAY_TASK_MIN", "2"},
                                                {"SLURM_ARRAY_TASK_MAX", "2"},
                                                {"TOONBOX_SHARD_COUNT", "4"}}));
  ASSERT_TRUE(with_count.is_ok()) << with_count.status().message();
  EXPECT_EQ((*with_count)->label(), "2/4");
  // An array numbered from 1 is not taken as shards silently.
  auto from_one = shard_from_environment(env({{"SLURM_ARRAY_TASK_ID", "4"},
                                              {"SLURM_ARRAY_TASK_COUNT", "4"},
                                              {"SLURM_ARRAY_TASK_MIN", "1"},
                                              {"SLURM_ARRAY_TASK_MAX", "4"}}));
  EXPECT_EQ(from_one.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(shard_from_environment(env({{"JOB_COMPLETION_INDEX", "x"}, {"TOONBOX_SHARD_COUNT", "2"}})).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace toonbox::folder
