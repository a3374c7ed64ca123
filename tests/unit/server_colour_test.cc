// Uploads are colour-managed like files: a Display P3 upload is cartoonized as its sRGB
// conversion, not as if its numbers were sRGB (docs/images.md, "Colour management").
#include <lcms2.h>
#include <zlib.h>

#include "image_test_util.h"
#include "server_test_util.h"

namespace toonbox::server_test {
namespace {

std::vector<uint8_t> display_p3_profile() {
  const cmsCIExyY d65 = {0.3127, 0.3290, 1.0};
  const cmsCIExyYTRIPLE p3 = {{0.680, 0.320, 1.0}, {0.265, 0.690, 1.0}, {0.150, 0.060, 1.0}};
  const cmsFloat64Number srgb[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045};
  cmsToneCurve* curve = cmsBuildParametricToneCurve(nullptr, 4, srgb);
  cmsToneCurve* curves[3] = {curve, curve, curve};
  cmsHPROFILE profile = cmsCreateRGBProfile(&d65, &p3, curves);
  cmsFreeToneCurve(curve);
  cmsUInt32Number size = 0;
  cmsSaveProfileToMem(profile, nullptr, &size);
  std::vector<uint8_t> bytes(size);
  cmsSaveProfileToMem(profile, bytes.data(), &size);
  cmsCloseProfile(profile);
  return bytes;
}

// The PNG with an iCCP chunk right after IHDR.
std::string with_iccp(const std::string& png, const std::vector<uint8_t>& profile) {
  uLongf packed_size = compressBound(static_cast<uLong>(profile.size()));
  std::vector<uint8_t> data = {'p', '3', 0, 0};
  const size_t head = data.size();
  data.resize(head + packed_size);
  EXPECT_EQ(compress(data.data() + head, &packed_size, profile.data(),
                     static_cast<uLong>(profile.size())),
            Z_OK);
  data.resize(head + packed_size);
  const std::vector<uint8_t> chunk = image_test::png_chunk("iCCP", data);
  constexpr size_t kAfterIhdr = 8 + 12 + 13;
  return png.substr(0, kAfterIhdr) + std::string(chunk.begin(), chunk.end()) +
         png.substr(kAfterIhdr);
}

image::Image converted_by_lcms2(const image::Image& img, const std::vector<uint8_t>& profile) {
  cmsHPROFILE in =
      cmsOpenProfileFromMem(profile.data(), static_cast<cmsUInt32Number>(profile.size()));
  cmsHPROFILE out = cmsCreate_sRGBProfile();
  cmsHTRANSFORM t = cmsCreateTransform(in, TYPE_RGB_8, out, TYPE_RGB_8, INTENT_PERCEPTUAL, 0);
  image::Image result = img;
  cmsDoTransform(t, img.rgb.data(), result.rgb.data(),
                 static_cast<cmsUInt32Number>(img.width * img.height));
  cmsDeleteTransform(t);
  cmsCloseProfile(in);
  cmsCloseProfile(out);
  return result;
}

int max_difference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  EXPECT_EQ(a.size(), b.size());
  int worst = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i)
    worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

TEST(ServerColour, UploadWithProfileIsCartoonizedAsItsSrgbConversion) {
  ServerHarness h;
  const image::Image original = test_image(64, 48);
  const std::vector<uint8_t> profile = display_p3_profile();
  auto cartoon = [&](const std::string& upload) {
    auto r = h.cartoonize(upload);
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body.substr(0, 300);
    auto img = decode_bytes(r->body);
    EXPECT_TRUE(img.is_ok()) << img.status().to_string();
    return img.is_ok() ? img->rgb : std::vector<uint8_t>();
  };
  const auto tagged = cartoon(with_iccp(png_bytes(original), profile));
  const auto as_srgb = cartoon(png_bytes(converted_by_lcms2(original, profile)));
  const auto untagged = cartoon(png_bytes(original));
  EXPECT_LE(max_difference(tagged, as_srgb), 1);
  EXPECT_GT(max_difference(tagged, untagged), 5) << "the profile was ignored";
}

}  // namespace
}  // namespace toonbox::server_test
