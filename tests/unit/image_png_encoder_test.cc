// The PNG encoder (png_encoder.cc, libdeflate + our Paeth rows): the vectorized filter
// against the spec's own predictor, and files decoded back by libpng, which checks every
// CRC, the zlib stream and the filter bytes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "image/image.h"
#include "image/image_io.h"
#include "image/png_row_filter.h"

using namespace toonbox::image;

namespace toonbox {
namespace {

// PNG specification 9.4, written as the spec writes it.
uint8_t spec_paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return static_cast<uint8_t>(a);
  if (pb <= pc) return static_cast<uint8_t>(b);
  return static_cast<uint8_t>(c);
}

std::vector<uint8_t> spec_filter(const std::vector<uint8_t>& row, const std::vector<uint8_t>* up, int bpp) {
  std::vector<uint8_t> out(row.size());
  for (size_t x = 0; x < row.size(); ++x) {
    const int a = x >= static_cast<size_t>(bpp) ? row[x - bpp] : 0;
    const int b = up ? (*up)[x] : 0;
    const int c = (up && x >= static_cast<size_t>(bpp)) ? (*up)[x - bpp] : 0;
    out[x] = static_cast<uint8_t>(row[x] - spec_paeth(a, b, c));
  }
  return out;
}

std::vector<uint8_t> random_bytes(size_t n, std::mt19937* rng) {
  std::vector<uint8_t> v(n);
  for (uint8_t& b : v) b = static_cast<uint8_t>((*rng)());
  return v;
}

TEST(PngRowFilter, MatchesTheSpecsPredictorOnEveryTieAndEdge) {
  std::mt19937 rng(7);
  for (int bpp : {3, 4}) {
    for (size_t pixels : {size_t{1}, size_t{2}, size_t{5}, size_t{33}, size_t{257}}) {
      const size_t bytes = pixels * static_cast<size_t>(bpp);
      // Random rows hit every branch; rows from a tiny alphabet hit the ties (pa == pb etc.).
      for (int alphabet : {256, 3}) {
        std::vector<uint8_t> row = random_bytes(bytes, &rng), up = random_bytes(bytes, &rng);
        for (uint8_t& b : row) b = static_cast<uint8_t>(b % alphabet * (255 / (alphabet - 1)));
        for (uint8_t& b : up) b = static_cast<uint8_t>(b % alphabet * (255 / (alphabet - 1)));
        std::vector<uint8_t> out(bytes);
        paeth_filter_row(row.data(), up.data(), bytes, bpp, out.data());
        EXPECT_EQ(out, spec_filter(row, &up, bpp)) << "bpp " << bpp << ", " << pixels << " pixels";
        paeth_filter_row(row.data(), nullptr, bytes, bpp, out.data());
        EXPECT_EQ(out, spec_filter(row, nullptr, bpp)) << "first row, bpp " << bpp << ", " << pixels << " pixels";
      }
    }
  }
}

Image noise_image(int w, int h, bool alpha, std::mt19937* rng) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgb = random_bytes(static_cast<size_t>(w) * h * 3, rng);
  if (alpha) img.alpha = random_bytes(static_cast<size_t>(w) * h, rng);
  return img;
}

TEST(PngEncoder, NoiseRoundTripsExactlyAtEdgeShapes) {
  std::mt19937 rng(11);
  for (bool alpha : {false, true}) {
    for (auto [w, h] : {std::pair{1, 1}, {1, 9}, {9, 1}, {3, 2}, {127, 65}}) {
      const Image src = noise_image(w, h, alpha, &rng);
      Result<std::vector<uint8_t>> png = encode_image(src, {ImageFormat::kPng});
      ASSERT_TRUE(png.is_ok()) << png.status().to_string();
      Result<Image> back = decode_image(png->data(), png->size(), {});
      ASSERT_TRUE(back.is_ok()) << w << "x" << h << ": " << back.status().to_string();
      EXPECT_EQ(back->width, w);
      EXPECT_EQ(back->height, h);
      EXPECT_EQ(back->rgb, src.rgb) << w << "x" << h << (alpha ? " RGBA" : " RGB");
      EXPECT_EQ(back->alpha, src.alpha) << w << "x" << h << (alpha ? " RGBA" : " RGB");
    }
  }
}

// Noise does not compress: 1024x512 RGB is about 1.5 MB of IDAT data, more than one 1 MiB
// chunk, so the reader must join chunks the way the encoder split them.
TEST(PngEncoder, ImageDataSplitOverSeveralIdatChunksDecodes) {
  std::mt19937 rng(13);
  const Image src = noise_image(1024, 512, false, &rng);
  Result<std::vector<uint8_t>> png = encode_image(src, {ImageFormat::kPng});
  ASSERT_TRUE(png.is_ok()) << png.status().to_string();
  int idat_chunks = 0;
  for (size_t at = 8; at + 8 <= png->size();) {
    const uint32_t length = (uint32_t{(*png)[at]} << 24) | ((*png)[at + 1] << 16) | ((*png)[at + 2] << 8) | (*png)[at + 3];
    if (std::string(png->begin() + at + 4, png->begin() + at + 8) == "IDAT") ++idat_chunks;
    at += 12 + length;
  }
  EXPECT_GE(idat_chunks, 2);
  Result<Image> back = decode_image(png->data(), png->size(), {});
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->rgb, src.rgb);
}

TEST(PngEncoder, EmptyImageIsRefused) {
  Image empty;
  Result<std::vector<uint8_t>> png = encode_image(empty, {ImageFormat::kPng});
  EXPECT_FALSE(png.is_ok());
}

}  // namespace
}  // namespace toonbox
