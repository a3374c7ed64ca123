#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <csignal>

#include "image/image.h"
#include "image/image_io.h"
#include "image_test_util.h"

using namespace toonbox::image;

namespace toonbox {
namespace {

using image_test::TempDir;

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

TEST(ImageIo, ReadFileRefusesWhatIsNotAFile) {
  TempDir dir;
  Result<std::vector<uint8_t>> r = read_file(dir.file("missing.jpg"), 1000);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(starts_with(r.status().message(), dir.file("missing.jpg") + ": "))
      << r.status().message();

  r = read_file(dir.path(), 1000);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().message(), dir.path() + ": is a directory, not a file");

  ASSERT_EQ(mkfifo(dir.file("fifo").c_str(), 0600), 0);
  r = read_file(dir.file("fifo"), 1000);  // must not block waiting for a writer
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("not a regular file"), std::string::npos);
}

TEST(ImageIo, ReadFileEnforcesMaxBytes) {
  TempDir dir;
  image_test::write_bytes(dir.file("f.bin"), std::vector<uint8_t>(100, 7));
  Result<std::vector<uint8_t>> r = read_file(dir.file("f.bin"), 99);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(),
            dir.file("f.bin") + ": file is 100 bytes, more than the limit of 99 bytes");
  r = read_file(dir.file("f.bin"), 100);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value(), std::vector<uint8_t>(100, 7));
}

TEST(ImageIo, ReadImageFileErrorsStartWithPath) {
  TempDir dir;
  const std::string empty = dir.file("empty.jpg");
  image_test::write_bytes(empty, {});
  EXPECT_EQ(read_image_file(empty, {}).status().message(), empty + ": file is empty");
  EXPECT_EQ(read_image_file(empty, {}).status().code(), StatusCode::kDataLoss);

  const std::string unknown = dir.file("x.bin");
  image_test::write_bytes(unknown, {0, 1, 2, 3});
  EXPECT_EQ(
      read_image_file(unknown, {}).status().message(),
      unknown + ": unknown image format (expected JPEG, PNG or WebP; first bytes 00 01 02 03)");

  const std::vector<uint8_t> jpeg =
      encode_image(image_test::make_gradient(64, 64, false), {ImageFormat::kJpeg, 90}).value();
  const std::string cut = dir.file("photo.jpg");
  image_test::write_bytes(cut, std::vector<uint8_t>(jpeg.begin(), jpeg.begin() + jpeg.size() / 2));
  Result<Image> img = read_image_file(cut, {});
  EXPECT_EQ(img.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(img.status().message(), cut + ": truncated JPEG data (premature end of file)");

  const std::string big = dir.file("big.png");
  image_test::write_bytes(big, image_test::png_claiming_size(100000, 100000));
  EXPECT_EQ(read_image_file(big, {}).status().message(),
            big +
                ": 100000x100000 = 10000 megapixels exceeds the limit of 50 megapixels (raise "
                "it with --max-pixels)");

  const std::string missing = dir.file("nope.png");
  EXPECT_TRUE(starts_with(read_image_file(missing, {}).status().message(), missing + ": "));
}

TEST(ImageIo, FormatComesFromContentNotName) {
  TempDir dir;
  const Image src = image_test::make_gradient(9, 7, true);
  const std::string path = dir.file("really_a_png.jpg");
  image_test::write_bytes(path, encode_image(src, {ImageFormat::kPng}).value());
  Result<Image> img = read_image_file(path, {});
  ASSERT_TRUE(img.is_ok()) << img.status().to_string();
  EXPECT_EQ(img->rgb, src.rgb);
  EXPECT_EQ(img->alpha, src.alpha);
}

TEST(ImageIo, FileSizeLimitFollowsPixelLimit) {
  DecodeOptions opts;
  EXPECT_GE(max_image_file_bytes(opts), size_t{400'000'000});
  opts.max_pixels = 1'000;
  EXPECT_LT(max_image_file_bytes(opts), size_t{100'000'000});
}

TEST(ImageIo, WriteImageFileRoundTripsEveryFormat) {
  TempDir dir;
  const Image src = image_test::make_gradient(24, 16, true);
  for (const std::string name : {"out.png", "out.webp", "out.JPG", "out.jpeg"}) {
    const std::string path = dir.file(name);
    ASSERT_TRUE(write_image_file(path, src, 100).is_ok()) << name;
    Result<Image> back = read_image_file(path, {});
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(back->width, 24);
    if (format_from_extension(name) == ImageFormat::kJpeg) {
      EXPECT_FALSE(back->has_alpha());
      EXPECT_GT(image_test::psnr(back->rgb, src.rgb), 38.0);
    } else {
      EXPECT_EQ(back->rgb, src.rgb) << name;
      EXPECT_EQ(back->alpha, src.alpha) << name;
    }
  }
  EXPECT_EQ(dir.entries(),
            (std::vector<std::string>{"out.JPG", "out.jpeg", "out.png", "out.webp"}));
}

TEST(ImageIo, UnknownExtensionWritesNothing) {
  TempDir dir;
  const std::string path = dir.file("out.tiff");
  Status s = write_image_file(path, image_test::make_gradient(4, 4, false));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(starts_with(s.message(), path + ": cannot tell the output format"));
  EXPECT_TRUE(dir.entries().empty());
}

TEST(ImageIo, MissingDirectoryFailsWithoutLeftovers) {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/out.png");
  Status s = write_image_file(path, image_test::make_gradient(4, 4, false));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_TRUE(starts_with(s.message(), path + ": cannot create a temporary file")) << s.message();
  EXPECT_TRUE(dir.entries().empty());
}

TEST(ImageIo, FailedEncodeLeavesExistingFileAlone) {
  TempDir dir;
  const std::string path = dir.file("keep.png");
  image_test::write_bytes(path, {1, 2, 3});
  Image broken = image_test::make_gradient(4, 4, false);
  broken.rgb.resize(5);
  EXPECT_FALSE(write_image_file(path, broken).is_ok());
  EXPECT_EQ(image_test::read_bytes(path), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"keep.png"});
}

TEST(ImageIo, AtomicWriteReplacesExistingFile) {
  TempDir dir;
  const std::string path = dir.file("data.bin");
  image_test::write_bytes(path, {9, 9, 9, 9, 9, 9});
  ASSERT_TRUE(atomic_write_file(path, {1, 2}).is_ok());
  EXPECT_EQ(image_test::read_bytes(path), (std::vector<uint8_t>{1, 2}));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"data.bin"});
}

TEST(ImageIo, AtomicWriteOntoDirectoryFailsCleanly) {
  TempDir dir;
  ASSERT_EQ(mkdir(dir.file("sub").c_str(), 0700), 0);
  Status s = atomic_write_file(dir.file("sub"), {1, 2, 3});
  EXPECT_FALSE(s.is_ok());
  EXPECT_TRUE(starts_with(s.message(), dir.file("sub") + ": ")) << s.message();
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"sub"});
}

// A write that fails halfway (here: the file size limit, as a full disk would) must leave
// neither a partial output nor a temporary file, and must not touch the old file.
TEST(ImageIo, FailureMidWriteLeavesNoPartialOutput) {
  TempDir dir;
  const std::string path = dir.file("out.bin");
  image_test::write_bytes(path, {4, 5, 6});
  const std::vector<uint8_t> big(1 << 20, 0xAB);

  rlimit old_limit;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  rlimit small = old_limit;
  small.rlim_cur = 64 * 1024;
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG instead of a signal
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const Status s = atomic_write_file(path, big);
  setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);

  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(starts_with(s.message(), path + ": cannot write temporary file")) << s.message();
  EXPECT_EQ(image_test::read_bytes(path), (std::vector<uint8_t>{4, 5, 6}));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.bin"});
}

TEST(ImageIo, AtomicWriteRejectsDirectoryLikeNames) {
  EXPECT_EQ(atomic_write_file("some/dir/", {1}).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace toonbox
