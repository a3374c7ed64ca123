// The ELF dynamic-section reader on real shared objects and on truncated or corrupt
// bytes, and the loader-order resolution built on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "doctor/elf_reader.h"
#include "doctor/ldconfig_cache.h"
#include "doctor/library_resolver.h"
#include "doctor_test_support.h"

namespace toonbox::doctor {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string find_libz() {
  for (const char* p :
       {"/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1",
        "/lib/aarch64-linux-gnu/libz.so.1", "/usr/lib64/libz.so.1", "/usr/lib/libz.so.1"})
    if (fs::exists(p)) return p;
  return "";
}

TEST(DoctorElf, ReadsSonameAndNeededOfSystemLibz) {
  const std::string libz = find_libz();
  if (libz.empty()) GTEST_SKIP() << "no libz.so.1 on this machine";
  Result<ElfDynamicInfo> info = read_elf_dynamic_file(libz);
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->soname, "libz.so.1");
  EXPECT_NE(std::find(info->needed.begin(), info->needed.end(), "libc.so.6"), info->needed.end());
}

TEST(DoctorElf, ReadsNeededAndRunpathOfTheFakeTorch) {
  Result<ElfDynamicInfo> info = read_elf_dynamic_file(TOONBOX_DOCTOR_FAKE_TORCH_CUDA);
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->soname, "libtorch_cuda.so");
  // In link order; sanitizer builds add their runtimes around them.
  const auto& needed = info->needed;
  const auto cudart = std::find(needed.begin(), needed.end(), "libcudart.so.13");
  ASSERT_NE(cudart, needed.end());
  EXPECT_NE(std::find(cudart, needed.end(), "libcudnn.so.9"), needed.end());
  EXPECT_EQ(info->runpath, std::vector<std::string>{"$ORIGIN/../../nvidia/cudnn/lib"});
  EXPECT_TRUE(info->rpath.empty());
}

TEST(DoctorElf, EveryTruncationIsAnErrorNotACrash) {
  const std::string bytes = read_file(TOONBOX_DOCTOR_FAKE_TORCH_CUDA);
  ASSERT_GT(bytes.size(), 1000u);
  Result<ElfDynamicInfo> whole = read_elf_dynamic_bytes(bytes);
  ASSERT_TRUE(whole.is_ok());
  // Shorter prefixes must either fail cleanly or, once all the dynamic data is inside
  // the prefix, agree with the whole file.
  int errors = 0;
  for (size_t len = 0; len < bytes.size(); len += (len < 4096 ? 7 : 997)) {
    Result<ElfDynamicInfo> r = read_elf_dynamic_bytes(std::string_view(bytes).substr(0, len));
    if (!r.is_ok()) {
      ++errors;
      EXPECT_TRUE(r.status().code() == StatusCode::kDataLoss)
          << len << ": " << r.status().to_string();
    } else {
      EXPECT_EQ(r->needed, whole->needed) << len;
    }
  }
  EXPECT_GT(errors, 100);
  EXPECT_EQ(read_elf_dynamic_bytes(bytes.substr(0, 63)).status().message(),
            "truncated ELF header: got 63 bytes, expected >= 64");
}

TEST(DoctorElf, RejectsCorruptHeaders) {
  const std::string good = read_file(TOONBOX_DOCTOR_FAKE_TORCH_CUDA);
  EXPECT_EQ(read_elf_dynamic_bytes("#!/bin/sh\necho not an elf\n").status().message(),
            "not an ELF file (bad magic)");

  std::string elf32 = good;
  elf32[4] = 1;  // EI_CLASS = ELFCLASS32
  EXPECT_EQ(read_elf_dynamic_bytes(elf32).status().code(), StatusCode::kUnimplemented);

  std::string many_headers = good;
  many_headers[56] = '\xff';  // e_phnum = 0x..ff: past the file
  many_headers[57] = '\x0f';
  Result<ElfDynamicInfo> r = read_elf_dynamic_bytes(many_headers);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);

  std::string far_headers = good;
  for (int i = 32; i < 40; ++i) far_headers[i] = '\x7f';  // e_phoff far beyond the file
  EXPECT_EQ(read_elf_dynamic_bytes(far_headers).status().code(), StatusCode::kDataLoss);
}

TEST(DoctorElf, RejectsStringOffsetsOutsideTheStringTable) {
  std::string bytes = read_file(TOONBOX_DOCTOR_FAKE_TORCH_CUDA);
  // Find the DT_NEEDED entries in PT_DYNAMIC and point the first one far away.
  Result<ElfDynamicInfo> whole = read_elf_dynamic_bytes(bytes);
  ASSERT_TRUE(whole.is_ok());
  const uint64_t phoff = *reinterpret_cast<const uint64_t*>(&bytes[32]);
  const uint16_t phnum = *reinterpret_cast<const uint16_t*>(&bytes[56]);
  uint64_t dyn = 0;
  for (uint16_t i = 0; i < phnum; ++i) {
    const char* ph = &bytes[phoff + i * 56u];
    if (*reinterpret_cast<const uint32_t*>(ph) == 2)
      dyn = *reinterpret_cast<const uint64_t*>(ph + 8);
  }
  ASSERT_NE(dyn, 0u);
  for (uint64_t off = dyn; off + 16 <= bytes.size(); off += 16) {
    if (*reinterpret_cast<const int64_t*>(&bytes[off]) == 1) {  // DT_NEEDED
      *reinterpret_cast<uint64_t*>(&bytes[off + 8]) = 0x7fffffff;
      break;
    }
  }
  Result<ElfDynamicInfo> r = read_elf_dynamic_bytes(bytes);
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(testing::contains(r.status().message(), "outside the string table"))
      << r.status().message();
}

TEST(DoctorElf, ReportsMissingFiles) {
  Result<ElfDynamicInfo> r = read_elf_dynamic_file("/nonexistent/libtorch_cuda.so");
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

// A pip-like layout: site/torch/lib/libtorch_cuda.so with RUNPATH to site/nvidia/cudnn/lib.
class DoctorResolver : public ::testing::Test {
 protected:
  void SetUp() override {
    site_ = scenario_.dir() + "/site";
    fs::create_directories(site_ + "/torch/lib");
    fs::copy_file(TOONBOX_DOCTOR_FAKE_TORCH_CUDA, site_ + "/torch/lib/libtorch_cuda.so");
    fs::create_directories(site_ + "/nvidia/cudnn/lib");
    fs::copy_file(std::string(TOONBOX_DOCTOR_STUB_DIR) + "/libcudnn.so.9",
                  site_ + "/nvidia/cudnn/lib/libcudnn.so.9");
    auto info = read_elf_dynamic_file(site_ + "/torch/lib/libtorch_cuda.so");
    ASSERT_TRUE(info.is_ok());
    info_ = info.value();
    search_.default_dirs = {};
  }
  const ResolvedLibrary& resolved(const std::vector<ResolvedLibrary>& all,
                                  const std::string& name) {
    for (const ResolvedLibrary& r : all)
      if (r.needed == name) return r;
    ADD_FAILURE() << name << " not in DT_NEEDED";
    return all.front();
  }

  testing::Scenario scenario_;
  std::string site_;
  ElfDynamicInfo info_;
  LoaderSearch search_;
};

TEST_F(DoctorResolver, FollowsRunpathWithOrigin) {
  const auto all = resolve_needed_libraries(site_ + "/torch/lib/libtorch_cuda.so", info_, search_);
  const ResolvedLibrary& cudnn = resolved(all, "libcudnn.so.9");
  EXPECT_EQ(cudnn.via, "RUNPATH");
  EXPECT_EQ(cudnn.path, fs::canonical(site_ + "/nvidia/cudnn/lib/libcudnn.so.9").string());
  EXPECT_TRUE(cudnn.shadowed_path.empty());
  EXPECT_TRUE(resolved(all, "libcudart.so.13").path.empty());  // nowhere to be found
}

TEST_F(DoctorResolver, LdLibraryPathShadowsTheWheelsOwnCopy) {
  const std::string system = scenario_.dir() + "/usr-local-cuda/lib64";
  fs::create_directories(system);
  fs::copy_file(std::string(TOONBOX_DOCTOR_STUB_DIR) + "/libcudnn.so.9",
                system + "/libcudnn.so.9.1.0");
  fs::create_symlink("libcudnn.so.9.1.0", system + "/libcudnn.so.9");
  search_.ld_library_path = {system};
  const auto all = resolve_needed_libraries(site_ + "/torch/lib/libtorch_cuda.so", info_, search_);
  const ResolvedLibrary& cudnn = resolved(all, "libcudnn.so.9");
  EXPECT_EQ(cudnn.via, "LD_LIBRARY_PATH");
  EXPECT_EQ(cudnn.version, "9.1.0");
  EXPECT_EQ(cudnn.shadowed_path, fs::canonical(site_ + "/nvidia/cudnn/lib/libcudnn.so.9").string());
}

TEST_F(DoctorResolver, FallsBackToTheLdconfigCache) {
  const LdconfigCache cache = LdconfigCache::parse(
      "3 libs found in cache `/etc/ld.so.cache'\n"
      "\tlibcudart.so.13 (libc6,x86-64) => " +
      std::string(TOONBOX_DOCTOR_STUB_DIR) +
      "/libcudart.so.13\n"
      "\tlibcudart.so.13 (libc6) => /usr/lib32/libcudart.so.13\n");
  search_.cache = &cache;
  const auto all = resolve_needed_libraries(site_ + "/torch/lib/libtorch_cuda.so", info_, search_);
#if defined(__x86_64__)
  EXPECT_EQ(resolved(all, "libcudart.so.13").via, "ld.so.cache");
#endif
}

TEST(DoctorLdconfig, ParsesOnlyThisArchitecture) {
  const LdconfigCache cache = LdconfigCache::parse(
      "\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1\n"
      "\tlibz.so.1 (libc6) => /lib32/libz.so.1\n"
      "\tlibcudnn.so.9 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.9\n"
      "\tlibcudnn_ops.so.9 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn_ops.so.9\n"
      "\tlibcudnn.so (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so\n");
#if defined(__x86_64__)
  EXPECT_EQ(cache.lookup("libz.so.1"), std::vector<std::string>{"/lib/x86_64-linux-gnu/libz.so.1"});
  EXPECT_EQ(cache.with_prefix("libcudnn.so").size(),
            2u);  // libcudnn.so.9 and libcudnn.so, not _ops
#endif
}

TEST(DoctorResolverOrigin, ExpandsBothSpellings) {
  EXPECT_EQ(expand_origin("$ORIGIN/../lib:${ORIGIN}/x", "/a/b"), "/a/b/../lib:/a/b/x");
}

}  // namespace
}  // namespace toonbox::doctor
