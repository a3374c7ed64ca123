// The download table (models/model_sources.h) against the registry: every known model has a
// source for each of its files or a reason it has none, URLs are pinned, and the mirror and
// URL rules behave as docs/models.md says.
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <set>

#include "models/http_download.h"
#include "models/model_download.h"
#include "models/model_sources.h"
#include "models/registry.h"

using namespace toonbox::models;

TEST(ModelSources, EveryKnownModelHasASourceForEachFileOrAReason) {
  ASSERT_EQ(std::getenv("TOONBOX_TEST_KNOWN_MODELS"), nullptr) << "the test-registry hook must be unset here";
  for (const KnownModel& k : known_models()) {
    const ModelSource* s = find_model_source(k.name);
    ASSERT_NE(s, nullptr) << k.name << " has no entry in model_sources.cc";
    if (s->files.empty()) {
      EXPECT_FALSE(s->no_download.empty()) << k.name << ": no URLs and no reason";
      continue;
    }
    EXPECT_FALSE(s->checked.empty()) << k.name << ": say how the URLs were checked";
    std::set<std::string> registry_files, source_files;
    for (const KnownFile& f : k.files) registry_files.insert(f.file);
    for (const FileSource& f : s->files) source_files.insert(f.file);
    EXPECT_EQ(registry_files, source_files) << k.name;
  }
  for (const ModelSource& s : model_sources()) EXPECT_NE(find_known_model(s.model), nullptr) << s.model;
}

TEST(ModelSources, GitHubUrlsArePinnedToACommitAndHttps) {
  const std::regex github(R"(https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/.+)");
  const std::regex npm(R"(https://cdn\.jsdelivr\.net/npm/@upscalerjs/[a-z-]+@\d+\.\d+\.\d+/.+)");
  int github_files = 0;
  for (const ModelSource& s : model_sources())
    for (const FileSource& f : s.files) {
      EXPECT_EQ(f.url.rfind("https://", 0), 0u) << f.url;
      if (f.url.find("githubusercontent") != std::string::npos) {
        ++github_files;
        EXPECT_TRUE(std::regex_match(f.url, github)) << f.url;
        EXPECT_GT(f.size, 0) << f.url;
      }
      if (f.url.find("jsdelivr") != std::string::npos) EXPECT_TRUE(std::regex_match(f.url, npm)) << f.url;
      EXPECT_TRUE(split_url(f.url).is_ok()) << f.url;
    }
  EXPECT_GE(github_files, 10);
}

TEST(ModelSources, MirrorReplacesTheSchemeAndKeepsHostAndPath) {
  const std::string url = "https://raw.githubusercontent.com/a/b/0123/models/x.bin";
  EXPECT_EQ(mirrored_url(url, ""), url);
  EXPECT_EQ(mirrored_url(url, "http://127.0.0.1:8000/"), "http://127.0.0.1:8000/raw.githubusercontent.com/a/b/0123/models/x.bin");
  EXPECT_EQ(mirrored_url(url, "http://m/models//"), "http://m/models/raw.githubusercontent.com/a/b/0123/models/x.bin");
}

TEST(ModelSources, SplitUrlRefusesWhatItCannotFetch) {
  auto ok = split_url("http://127.0.0.1:9/a/b?c=d");
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ(ok->origin, "http://127.0.0.1:9");
  EXPECT_EQ(ok->path, "/a/b?c=d");
  EXPECT_FALSE(split_url("ftp://host/x").is_ok());
  EXPECT_FALSE(split_url("file:///etc/passwd").is_ok());
  EXPECT_FALSE(split_url("https:///x").is_ok());
  EXPECT_FALSE(split_url("http://host/a b").is_ok());
  EXPECT_FALSE(split_url("no scheme").is_ok());
}

TEST(ModelSources, NonCommercialLicencesAreRecognised) {
  EXPECT_TRUE(is_non_commercial("CC BY-NC-SA 4.0 (non-commercial)"));
  EXPECT_TRUE(is_non_commercial("AnimeGANv3: non-commercial use only"));
  EXPECT_TRUE(is_non_commercial("cc by-nc 4.0"));
  EXPECT_FALSE(is_non_commercial("MIT"));
  EXPECT_FALSE(is_non_commercial("BSD-3-Clause (pytorch/examples)"));
  EXPECT_FALSE(is_non_commercial("Apache-2.0"));
  for (const char* name : {"whitebox", "animeganv3-cute"}) {
    const KnownModel* k = find_known_model(name);
    ASSERT_NE(k, nullptr);
    EXPECT_TRUE(is_non_commercial(k->licence)) << name;
  }
}
