// Embedded ICC profiles (src/image/icc_profile.*): every test image and profile is built
// here, the profiles with lcms2's own constructors, and the expected pixels come from
// lcms2's transform of the profile-less decode, computed independently of toonbox's code.
#include <gtest/gtest.h>
#include <lcms2.h>
#include <zlib.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "image/icc_profile.h"
#include "image/image.h"
#include "image/image_io.h"
#include "image/jpeg_codec.h"
#include "image/png_codec.h"
#include "image/webp_codec.h"
#include "image_test_util.h"

using namespace toonbox::image;

namespace toonbox {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes save_profile(cmsHPROFILE profile) {
  cmsUInt32Number size = 0;
  EXPECT_TRUE(cmsSaveProfileToMem(profile, nullptr, &size));
  Bytes bytes(size);
  EXPECT_TRUE(cmsSaveProfileToMem(profile, bytes.data(), &size));
  cmsCloseProfile(profile);
  return bytes;
}

cmsToneCurve* srgb_curve() {
  const cmsFloat64Number params[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045};
  return cmsBuildParametricToneCurve(nullptr, 4, params);
}

// Display P3: DCI-P3 primaries, D65 white, the sRGB curve (what iPhones embed).
Bytes display_p3_profile() {
  const cmsCIExyY d65 = {0.3127, 0.3290, 1.0};
  const cmsCIExyYTRIPLE p3 = {{0.680, 0.320, 1.0}, {0.265, 0.690, 1.0}, {0.150, 0.060, 1.0}};
  cmsToneCurve* curve = srgb_curve();
  cmsToneCurve* curves[3] = {curve, curve, curve};
  cmsHPROFILE profile = cmsCreateRGBProfile(&d65, &p3, curves);
  cmsFreeToneCurve(curve);
  return save_profile(profile);
}

// Adobe RGB (1998): wider greens, gamma 563/256.
Bytes adobe_rgb_profile() {
  const cmsCIExyY d65 = {0.3127, 0.3290, 1.0};
  const cmsCIExyYTRIPLE adobe = {{0.64, 0.33, 1.0}, {0.21, 0.71, 1.0}, {0.15, 0.06, 1.0}};
  cmsToneCurve* curve = cmsBuildGamma(nullptr, 563.0 / 256.0);
  cmsToneCurve* curves[3] = {curve, curve, curve};
  cmsHPROFILE profile = cmsCreateRGBProfile(&d65, &adobe, curves);
  cmsFreeToneCurve(curve);
  return save_profile(profile);
}

Bytes srgb_profile() { return save_profile(cmsCreate_sRGBProfile()); }

Bytes gray_gamma_profile(double gamma) {
  cmsToneCurve* curve = cmsBuildGamma(nullptr, gamma);
  cmsHPROFILE profile = cmsCreateGrayProfile(cmsD50_xyY(), curve);
  cmsFreeToneCurve(curve);
  return save_profile(profile);
}

// A CMYK output profile with an A2B0 table of lcms2's own making: ink -> Lab by a smooth
// made-up press model (any smooth map will do: the test compares with lcms2's transform).
cmsInt32Number press_model(const cmsUInt16Number in[], cmsUInt16Number out[], void*) {
  const double c = in[0] / 65535.0, m = in[1] / 65535.0, y = in[2] / 65535.0, k = in[3] / 65535.0;
  const double r = (1 - c) * (1 - k), g = (1 - m) * (1 - k), b = (1 - y) * (1 - k);
  cmsCIELab lab = {100 * (0.3 * r + 0.59 * g + 0.11 * b), 60 * (r - g), 60 * (g - b)};
  cmsFloat2LabEncoded(out, &lab);
  return TRUE;
}

Bytes cmyk_profile() {
  cmsHPROFILE profile = cmsCreateProfilePlaceholder(nullptr);
  cmsSetProfileVersion(profile, 4.3);
  cmsSetDeviceClass(profile, cmsSigOutputClass);
  cmsSetColorSpace(profile, cmsSigCmykData);
  cmsSetPCS(profile, cmsSigLabData);
  cmsPipeline* a2b = cmsPipelineAlloc(nullptr, 4, 3);
  cmsStage* clut = cmsStageAllocCLut16bit(nullptr, 9, 4, 3, nullptr);
  EXPECT_TRUE(cmsStageSampleCLut16bit(clut, press_model, nullptr, 0));
  // lutAtoBType's A curves -> CLUT -> B curves (identity curves: the table does the work).
  cmsPipelineInsertStage(a2b, cmsAT_END, cmsStageAllocToneCurves(nullptr, 4, nullptr));
  cmsPipelineInsertStage(a2b, cmsAT_END, clut);
  cmsPipelineInsertStage(a2b, cmsAT_END, cmsStageAllocToneCurves(nullptr, 3, nullptr));
  cmsWriteTag(profile, cmsSigAToB0Tag, a2b);
  cmsWriteTag(profile, cmsSigMediaWhitePointTag, cmsD50_XYZ());
  cmsPipelineFree(a2b);
  return save_profile(profile);
}

// The JPEG's CMYK samples as libjpeg decodes them, before any conversion.
Bytes decode_cmyk_with_libjpeg(const Bytes& jpeg) {
  jpeg_decompress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_decompress(&c);
  jpeg_mem_src(&c, jpeg.data(), static_cast<unsigned long>(jpeg.size()));
  jpeg_read_header(&c, TRUE);
  c.out_color_space = JCS_CMYK;
  jpeg_start_decompress(&c);
  Bytes out(static_cast<size_t>(c.output_width) * c.output_height * 4);
  while (c.output_scanline < c.output_height) {
    JSAMPROW row = out.data() + static_cast<size_t>(c.output_scanline) * c.output_width * 4;
    jpeg_read_scanlines(&c, &row, 1);
  }
  jpeg_finish_decompress(&c);
  jpeg_destroy_decompress(&c);
  return out;
}

// lcms2's own conversion of 8-bit pixels (input_format) to sRGB, out of place.
Bytes lcms_to_srgb(const Bytes& profile, const Bytes& pixels, cmsUInt32Number input_format,
                   size_t count) {
  cmsHPROFILE in =
      cmsOpenProfileFromMem(profile.data(), static_cast<cmsUInt32Number>(profile.size()));
  cmsHPROFILE out = cmsCreate_sRGBProfile();
  cmsHTRANSFORM t = cmsCreateTransform(in, input_format, out, TYPE_RGB_8, INTENT_PERCEPTUAL, 0);
  EXPECT_NE(t, nullptr);
  Bytes rgb(count * 3);
  cmsDoTransform(t, pixels.data(), rgb.data(), static_cast<cmsUInt32Number>(count));
  cmsDeleteTransform(t);
  cmsCloseProfile(in);
  cmsCloseProfile(out);
  return rgb;
}

// Largest per-sample difference; the number of samples that differ at all.
int max_difference(const Bytes& a, const Bytes& b) {
  EXPECT_EQ(a.size(), b.size());
  int worst = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i)
    worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

// --- containers ---

// APP2 ICC_PROFILE segments right after SOI, the profile split into `chunks` pieces.
Bytes jpeg_with_icc(const Bytes& jpeg, const Bytes& profile, int chunks = 1) {
  Bytes segments;
  const size_t piece = (profile.size() + chunks - 1) / chunks;
  for (int i = 0; i < chunks; ++i) {
    const size_t begin = i * piece, end = std::min(profile.size(), begin + piece);
    const size_t length = 2 + 12 + 2 + (end - begin);
    segments.insert(segments.end(),
                    {0xFF, 0xE2, static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)});
    const char* header = "ICC_PROFILE";
    segments.insert(segments.end(), header, header + 12);  // with its NUL
    segments.push_back(static_cast<uint8_t>(i + 1));
    segments.push_back(static_cast<uint8_t>(chunks));
    segments.insert(segments.end(), profile.begin() + begin, profile.begin() + end);
  }
  Bytes out(jpeg.begin(), jpeg.begin() + 2);
  out.insert(out.end(), segments.begin(), segments.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

// `chunk` (a whole PNG chunk) inserted right after IHDR.
Bytes png_with_chunk(const Bytes& png, const Bytes& chunk) {
  constexpr size_t kAfterIhdr = 8 + 12 + 13;
  Bytes out(png.begin(), png.begin() + kAfterIhdr);
  out.insert(out.end(), chunk.begin(), chunk.end());
  out.insert(out.end(), png.begin() + kAfterIhdr, png.end());
  return out;
}

Bytes iccp_chunk(const Bytes& profile) {
  uLongf compressed_size = compressBound(static_cast<uLong>(profile.size()));
  Bytes compressed(compressed_size);
  EXPECT_EQ(compress(compressed.data(), &compressed_size, profile.data(),
                     static_cast<uLong>(profile.size())),
            Z_OK);
  compressed.resize(compressed_size);
  Bytes data = {'t', 'e', 's', 't', 0, 0};  // name, NUL, compression method 0
  data.insert(data.end(), compressed.begin(), compressed.end());
  return image_test::png_chunk("iCCP", data);
}

Bytes be32(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

void put_le32(Bytes* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void riff_chunk(Bytes* out, const char* fourcc, const Bytes& payload) {
  out->insert(out->end(), fourcc, fourcc + 4);
  put_le32(out, static_cast<uint32_t>(payload.size()));
  out->insert(out->end(), payload.begin(), payload.end());
  if (payload.size() % 2 == 1) out->push_back(0);
}

// An extended WebP: VP8X (ICC flag, alpha flag as the image has it), ICCP, then the
// simple file's image chunk(s).
Bytes webp_with_icc(const Bytes& simple, int width, int height, bool alpha, const Bytes& profile) {
  Bytes vp8x = {static_cast<uint8_t>(0x20 | (alpha ? 0x10 : 0)), 0, 0, 0};
  for (int v : {width - 1, height - 1}) {
    for (int i = 0; i < 3; ++i) vp8x.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  Bytes chunks;
  riff_chunk(&chunks, "VP8X", vp8x);
  riff_chunk(&chunks, "ICCP", profile);
  chunks.insert(chunks.end(), simple.begin() + 12, simple.end());  // after "RIFF" size "WEBP"
  Bytes out = {'R', 'I', 'F', 'F'};
  put_le32(&out, static_cast<uint32_t>(4 + chunks.size()));
  out.insert(out.end(), {'W', 'E', 'B', 'P'});
  out.insert(out.end(), chunks.begin(), chunks.end());
  return out;
}

Image decoded(const Bytes& file) {
  Result<Image> img = decode_image(file.data(), file.size(), {});
  EXPECT_TRUE(img.is_ok()) << img.status().to_string();
  return img.is_ok() ? std::move(img).value() : Image{};
}

size_t pixel_count(const Image& img) {
  return static_cast<size_t>(img.width) * static_cast<size_t>(img.height);
}

// --- tests ---

TEST(ImageIcc, RecognisesSrgbAndNothingElse) {
  const Bytes srgb = srgb_profile();
  EXPECT_TRUE(is_srgb_profile(srgb.data(), srgb.size()));
  const Bytes p3 = display_p3_profile();
  EXPECT_FALSE(is_srgb_profile(p3.data(), p3.size()));
  const Bytes adobe = adobe_rgb_profile();
  EXPECT_FALSE(is_srgb_profile(adobe.data(), adobe.size()));
  // sRGB primaries with a plain 2.2 curve: darker shadows, so not sRGB.
  const cmsCIExyY d65 = {0.3127, 0.3290, 1.0};
  const cmsCIExyYTRIPLE srgb_primaries = {{0.64, 0.33, 1.0}, {0.30, 0.60, 1.0}, {0.15, 0.06, 1.0}};
  cmsToneCurve* gamma = cmsBuildGamma(nullptr, 2.2);
  cmsToneCurve* curves[3] = {gamma, gamma, gamma};
  const Bytes gamma22 = save_profile(cmsCreateRGBProfile(&d65, &srgb_primaries, curves));
  cmsFreeToneCurve(gamma);
  EXPECT_FALSE(is_srgb_profile(gamma22.data(), gamma22.size()));
  // The same primaries with sRGB's curve, built by hand rather than by cmsCreate_sRGBProfile.
  cmsToneCurve* curve = srgb_curve();
  cmsToneCurve* srgb_curves[3] = {curve, curve, curve};
  const Bytes rebuilt = save_profile(cmsCreateRGBProfile(&d65, &srgb_primaries, srgb_curves));
  cmsFreeToneCurve(curve);
  EXPECT_TRUE(is_srgb_profile(rebuilt.data(), rebuilt.size()));
  const Bytes junk = {1, 2, 3, 4};
  EXPECT_FALSE(is_srgb_profile(junk.data(), junk.size()));
}

TEST(ImageIcc, PngIccpIsConvertedAsLcms2Does) {
  const Image src = image_test::make_gradient(64, 48, /*with_alpha=*/true);
  const Bytes plain = encode_image(src, {ImageFormat::kPng}).value();
  for (const Bytes& profile : {display_p3_profile(), adobe_rgb_profile()}) {
    const Image img = decoded(png_with_chunk(plain, iccp_chunk(profile)));
    ASSERT_EQ(img.width, 64);
    const Bytes expected = lcms_to_srgb(profile, src.rgb, TYPE_RGB_8, pixel_count(src));
    EXPECT_LE(max_difference(img.rgb, expected), 1);
    EXPECT_GT(max_difference(img.rgb, src.rgb), 10)
        << "a wide-gamut profile must change the pixels";
    EXPECT_EQ(img.alpha, src.alpha) << "alpha is not colour";
  }
}

TEST(ImageIcc, JpegApp2IsConvertedAsLcms2Does) {
  const Image src = image_test::make_gradient(64, 48, false);
  const Bytes plain = encode_image(src, {ImageFormat::kJpeg, 95}).value();
  const Image stored = decoded(plain);  // the JPEG's pixels, no profile applied
  const Bytes profile = display_p3_profile();
  const Bytes expected = lcms_to_srgb(profile, stored.rgb, TYPE_RGB_8, pixel_count(stored));
  for (int chunks : {1, 3}) {  // libjpeg-turbo reassembles a profile split over segments
    const Image img = decoded(jpeg_with_icc(plain, profile, chunks));
    EXPECT_LE(max_difference(img.rgb, expected), 1) << chunks << " chunk(s)";
    EXPECT_GT(max_difference(img.rgb, stored.rgb), 10);
  }
}

TEST(ImageIcc, WebpIccpIsConvertedAsLcms2Does) {
  const Image src = image_test::make_gradient(40, 30, true);
  const Bytes plain = encode_image(src, {ImageFormat::kWebp, 100}).value();  // lossless
  const Bytes profile = adobe_rgb_profile();
  const Image img = decoded(webp_with_icc(plain, 40, 30, true, profile));
  const Bytes expected = lcms_to_srgb(profile, src.rgb, TYPE_RGB_8, pixel_count(src));
  EXPECT_LE(max_difference(img.rgb, expected), 1);
  EXPECT_GT(max_difference(img.rgb, src.rgb), 10);
  EXPECT_EQ(img.alpha, src.alpha);
}

TEST(ImageIcc, GrayJpegWithGrayProfile) {
  const int w = 32, h = 16;
  Bytes gray(static_cast<size_t>(w) * h);
  for (size_t i = 0; i < gray.size(); ++i) gray[i] = static_cast<uint8_t>(i * 255 / gray.size());
  const Bytes plain = image_test::write_jpeg_with_libjpeg(gray, w, h, 1, JCS_GRAYSCALE, 95);
  const Image stored = decoded(plain);
  Bytes stored_gray(pixel_count(stored));
  for (size_t i = 0; i < stored_gray.size(); ++i) stored_gray[i] = stored.rgb[i * 3];
  const Bytes profile = gray_gamma_profile(1.0);  // linear grey: much brighter mid-tones in sRGB
  const Image img = decoded(jpeg_with_icc(plain, profile));
  EXPECT_LE(
      max_difference(img.rgb, lcms_to_srgb(profile, stored_gray, TYPE_GRAY_8, stored_gray.size())),
      1);
  EXPECT_GT(max_difference(img.rgb, stored.rgb), 20);
}

TEST(ImageIcc, CmykJpegThroughItsCmykProfile) {
  const int w = 24, h = 16;
  Bytes ink(static_cast<size_t>(w) * h * 4);
  for (size_t i = 0; i < ink.size(); ++i) ink[i] = static_cast<uint8_t>((i * 37) % 256);
  const Bytes profile = cmyk_profile();
  // Adobe's marker: the samples are inverted CMYK (255 = no ink), as Photoshop writes them.
  for (bool adobe : {true, false}) {
    const Bytes plain = image_test::write_jpeg_with_libjpeg(ink, w, h, 4, JCS_CMYK, 95, adobe);
    const Bytes stored = decode_cmyk_with_libjpeg(plain);
    const Image naive = decoded(plain);  // no profile: the ink formula
    const Image img = decoded(jpeg_with_icc(plain, profile));
    const Bytes expected = lcms_to_srgb(profile, stored, adobe ? TYPE_CMYK_8_REV : TYPE_CMYK_8,
                                        static_cast<size_t>(w) * h);
    EXPECT_LE(max_difference(img.rgb, expected), 1) << (adobe ? "Adobe" : "plain");
    EXPECT_GT(max_difference(img.rgb, naive.rgb), 10) << "the profile, not the ink formula";
  }
}

TEST(ImageIcc, SrgbProfileAndNoProfileDecodeExactlyAsBefore) {
  const Image src = image_test::make_gradient(64, 48, true);
  const Bytes srgb = srgb_profile();
  // PNG: no colour chunks, iCCP sRGB, sRGB chunk, gAMA 1/2.2 alone: all unchanged pixels,
  // identical to the decoder without any colour management.
  const Bytes png = encode_image(src, {ImageFormat::kPng}).value();
  const Image raw = decode_png(png.data(), png.size(), 1 << 24).value();
  EXPECT_EQ(raw.rgb, src.rgb);
  for (const Bytes& file : {png, png_with_chunk(png, iccp_chunk(srgb)),
                            png_with_chunk(png, image_test::png_chunk("sRGB", {0})),
                            png_with_chunk(png, image_test::png_chunk("gAMA", be32(45455)))}) {
    const Image img = decoded(file);
    EXPECT_EQ(img.rgb, raw.rgb);
    EXPECT_EQ(img.alpha, raw.alpha);
  }
  // JPEG and WebP with an sRGB profile.
  const Bytes jpeg = encode_image(src, {ImageFormat::kJpeg, 90}).value();
  const Image jpeg_raw = decode_jpeg(jpeg.data(), jpeg.size(), 1 << 24).value();
  EXPECT_EQ(decoded(jpeg).rgb, jpeg_raw.rgb);
  EXPECT_EQ(decoded(jpeg_with_icc(jpeg, srgb)).rgb, jpeg_raw.rgb);
  const Bytes webp = encode_image(src, {ImageFormat::kWebp, 100}).value();
  const Image webp_raw = decode_webp(webp.data(), webp.size(), 1 << 24).value();
  EXPECT_EQ(decoded(webp_with_icc(webp, 64, 48, true, srgb)).rgb, webp_raw.rgb);
}

TEST(ImageIcc, PngGamaAndChrmWithoutIccp) {
  // A linear-light file (gAMA 1.0): mid grey 128 stored is 0.5 of the light, sRGB 188.
  const Image grey = image_test::make_solid(8, 8, 128, 128, 128);
  const Bytes png = encode_image(grey, {ImageFormat::kPng}).value();
  Image img = decoded(png_with_chunk(png, image_test::png_chunk("gAMA", be32(100000))));
  ASSERT_FALSE(img.rgb.empty());
  EXPECT_NEAR(img.rgb[0], 188, 1);
  // cHRM with Adobe RGB's primaries and no gAMA (the sRGB curve then): colours change.
  const Image src = image_test::make_gradient(32, 16, false);
  const Bytes gradient = encode_image(src, {ImageFormat::kPng}).value();
  Bytes chrm;
  for (uint32_t v : {31270u, 32900u, 64000u, 33000u, 21000u, 71000u, 15000u, 6000u}) {
    const Bytes b = be32(v);
    chrm.insert(chrm.end(), b.begin(), b.end());
  }
  img = decoded(png_with_chunk(gradient, image_test::png_chunk("cHRM", chrm)));
  EXPECT_GT(max_difference(img.rgb, src.rgb), 10);
  // An sRGB chunk wins over cHRM (PNG 11.3.3.5): unchanged.
  const Bytes both = png_with_chunk(png_with_chunk(gradient, image_test::png_chunk("cHRM", chrm)),
                                    image_test::png_chunk("sRGB", {0}));
  EXPECT_EQ(decoded(both).rgb, src.rgb);
}

TEST(ImageIcc, BrokenProfilesAreClearErrors) {
  const Image src = image_test::make_gradient(16, 16, false);
  const Bytes jpeg = encode_image(src, {ImageFormat::kJpeg, 90}).value();
  // A profile cut in half: lcms2 refuses it (here: its tag table opens, its tags do not).
  Bytes cut = display_p3_profile();
  cut.resize(cut.size() / 2);
  const Bytes file = jpeg_with_icc(jpeg, cut);
  Result<Image> img = decode_image(file.data(), file.size(), {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(img.status().message().find("embedded ICC profile"), std::string::npos)
      << img.status().message();
  // Random bytes as a profile.
  Bytes junk(600);
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<uint8_t>(i * 7919 >> 3);
  const Bytes junk_file = jpeg_with_icc(jpeg, junk);
  img = decode_image(junk_file.data(), junk_file.size(), {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(img.status().message().find("invalid embedded ICC profile"), std::string::npos)
      << img.status().message();
  // Over the size limit: refused before the chunks are assembled.
  const Bytes huge_profile(kMaxIccProfileBytes + 1000, 0);
  const Bytes huge = jpeg_with_icc(jpeg, huge_profile, 70);
  img = decode_image(huge.data(), huge.size(), {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_NE(img.status().message().find("exceeds the limit"), std::string::npos)
      << img.status().message();
  // libpng checks an iCCP profile's header and length itself and drops a bad one with a
  // warning, so such a PNG decodes, as sRGB (images.md says so).
  const Bytes png = encode_image(src, {ImageFormat::kPng}).value();
  for (const Bytes& bad : {cut, junk}) {
    const Bytes file_png = png_with_chunk(png, iccp_chunk(bad));
    img = decode_image(file_png.data(), file_png.size(), {});
    ASSERT_TRUE(img.is_ok()) << img.status().to_string();
    EXPECT_EQ(img->rgb, src.rgb);
  }
  // Through read_image_file the message names the file.
  image_test::TempDir dir;
  image_test::write_bytes(dir.file("cut.jpg"), file);
  img = read_image_file(dir.file("cut.jpg"), {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().message().rfind(dir.file("cut.jpg"), 0), 0u) << img.status().message();
}

TEST(ImageIcc, ProfileForOtherPixelsIsIgnored) {
  // A grey profile on colour pixels: not applicable, ignored as browsers ignore it.
  const Image src = image_test::make_gradient(32, 16, false);
  const Bytes gray = gray_gamma_profile(1.0);
  Image img;
  img.width = src.width;
  img.height = src.height;
  img.rgb = src.rgb;
  ASSERT_TRUE(convert_to_srgb(&img, gray.data(), gray.size()).is_ok());
  EXPECT_EQ(img.rgb, src.rgb);
}

TEST(ImageIcc, ReadImageFileConverts) {
  // The file path every front end uses (CLI, folders) ends in the same decode_image.
  const Image src = image_test::make_gradient(16, 8, false);
  const Bytes profile = display_p3_profile();
  const Bytes png =
      png_with_chunk(encode_image(src, {ImageFormat::kPng}).value(), iccp_chunk(profile));
  image_test::TempDir dir;
  image_test::write_bytes(dir.file("p3.png"), png);
  Result<Image> img = read_image_file(dir.file("p3.png"), {});
  ASSERT_TRUE(img.is_ok()) << img.status().to_string();
  EXPECT_LE(max_difference(img->rgb, lcms_to_srgb(profile, src.rgb, TYPE_RGB_8, pixel_count(src))),
            1);
}

}  // namespace
}  // namespace toonbox
