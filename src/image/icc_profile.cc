#include "image/icc_profile.h"

#include <lcms2.h>

#include <array>
#include <cmath>
#include <string>

namespace toonbox::image {
namespace {

// lcms2 reports problems through a per-context handler; the first message is the cause
// (later ones are consequences).
struct LcmsErrors {
  std::string first;
};

void on_lcms_error(cmsContext context, cmsUInt32Number, const char* text) {
  auto* errors = static_cast<LcmsErrors*>(cmsGetContextUserData(context));
  if (errors != nullptr && errors->first.empty() && text != nullptr) errors->first = text;
}

}  // namespace

// One lcms2 context per conversion: its error handler is ours alone, so concurrent
// decodes (folder decoder threads, server handlers) never share a message slot.
class LcmsSession {
 public:
  LcmsSession() : context_(cmsCreateContext(nullptr, &errors_)) {
    if (context_ != nullptr) cmsSetLogErrorHandlerTHR(context_, on_lcms_error);
  }
  ~LcmsSession() {
    if (transform_ != nullptr) cmsDeleteTransform(transform_);
    if (input_ != nullptr) cmsCloseProfile(input_);
    if (srgb_ != nullptr) cmsCloseProfile(srgb_);
    if (context_ != nullptr) cmsDeleteContext(context_);
  }
  LcmsSession(const LcmsSession&) = delete;
  LcmsSession& operator=(const LcmsSession&) = delete;

  Status open(const uint8_t* profile, size_t size) {
    if (context_ == nullptr) return out_of_memory("cannot create an lcms2 context");
    TB_RETURN_IF_ERROR(check_icc_profile_size(size));
    input_ = cmsOpenProfileFromMemTHR(context_, profile, static_cast<cmsUInt32Number>(size));
    if (input_ == nullptr) return failure("invalid embedded ICC profile");
    return Status::ok();
  }

  // input format -> 8-bit RGB in sRGB. Perceptual intent: what photo viewers use; for the
  // matrix/shaper profiles of cameras and phones (Display P3, Adobe RGB) every intent
  // but absolute colorimetric gives the same result.
  // cmsFLAGS_NOCACHE: without the one-pixel cache a transform has no mutable state, so
  // rows can be converted in parallel (lcms2's documented condition for sharing one).
  Status create_transform(cmsUInt32Number input_format) {
    srgb_ = cmsCreate_sRGBProfileTHR(context_);
    if (srgb_ == nullptr) return out_of_memory("cannot create the sRGB profile");
    transform_ = cmsCreateTransformTHR(context_, input_, input_format, srgb_, TYPE_RGB_8,
                                       INTENT_PERCEPTUAL, cmsFLAGS_NOCACHE);
    if (transform_ == nullptr) return failure("embedded ICC profile cannot be converted to sRGB");
    return Status::ok();
  }

  cmsContext context() const { return context_; }
  cmsHPROFILE input() const { return input_; }
  cmsHTRANSFORM transform() const { return transform_; }

 private:
  Status failure(const std::string& what) const {
    return data_loss(what + ": " + (errors_.first.empty() ? "rejected by lcms2" : errors_.first));
  }

  LcmsErrors errors_;  // before context_: the context keeps a pointer to it
  cmsContext context_ = nullptr;
  cmsHPROFILE input_ = nullptr;
  cmsHPROFILE srgb_ = nullptr;
  cmsHTRANSFORM transform_ = nullptr;
};

namespace {

// IEC 61966-2-1: linear light -> the sRGB-encoded value, both in [0, 1].
double srgb_encode(double linear) {
  if (linear <= 0.0031308) return 12.92 * linear;
  return 1.055 * std::pow(linear, 1 / 2.4) - 0.055;
}

// The sRGB colorants after Bradford adaptation to D50, as ICC profiles store them: the
// middle of lcms2's cmsCreate_sRGBProfile (2.14) and HP's "sRGB IEC61966-2.1", which
// differ by up to 1.9e-4 (blue Z).
constexpr std::array<std::array<double, 3>, 3> kSrgbColorantsD50 = {{
    {0.43607, 0.22249, 0.01392},  // red
    {0.38511, 0.71690, 0.09707},  // green
    {0.14306, 0.06061, 0.71400},  // blue
}};

// 5e-4 per colorant moves no 8-bit value by more than about a third of a level.
constexpr double kColorantTolerance = 5e-4;
// A curve that maps every 8-bit code to within a quarter level of itself after sRGB
// encoding is sRGB's curve as far as 8-bit pixels can tell.
constexpr double kCurveTolerance = 0.25 / 255;

bool colorant_matches(cmsHPROFILE profile, cmsTagSignature tag, const std::array<double, 3>& want) {
  const auto* xyz = static_cast<const cmsCIEXYZ*>(cmsReadTag(profile, tag));
  return xyz != nullptr && std::fabs(xyz->X - want[0]) < kColorantTolerance &&
         std::fabs(xyz->Y - want[1]) < kColorantTolerance &&
         std::fabs(xyz->Z - want[2]) < kColorantTolerance;
}

bool curve_matches_srgb(cmsHPROFILE profile, cmsTagSignature tag) {
  const auto* curve = static_cast<const cmsToneCurve*>(cmsReadTag(profile, tag));
  if (curve == nullptr) return false;
  for (int code = 0; code < 256; ++code) {
    const double x = code / 255.0;
    const double linear = cmsEvalToneCurveFloat(curve, static_cast<cmsFloat32Number>(x));
    if (std::fabs(srgb_encode(linear) - x) > kCurveTolerance) return false;
  }
  return true;
}

bool is_srgb(cmsHPROFILE profile) {
  if (cmsGetColorSpace(profile) != cmsSigRgbData || cmsGetPCS(profile) != cmsSigXYZData)
    return false;
  // lcms2 prefers LUT tags over the matrix/shaper when both exist, so a profile with
  // any is judged by what lcms2 would actually use: not detected, converted.
  for (cmsTagSignature lut : {cmsSigAToB0Tag, cmsSigAToB1Tag, cmsSigAToB2Tag, cmsSigDToB0Tag}) {
    if (cmsIsTag(profile, lut)) return false;
  }
  if (!cmsIsMatrixShaper(profile)) return false;
  return colorant_matches(profile, cmsSigRedColorantTag, kSrgbColorantsD50[0]) &&
         colorant_matches(profile, cmsSigGreenColorantTag, kSrgbColorantsD50[1]) &&
         colorant_matches(profile, cmsSigBlueColorantTag, kSrgbColorantsD50[2]) &&
         curve_matches_srgb(profile, cmsSigRedTRCTag) &&
         curve_matches_srgb(profile, cmsSigGreenTRCTag) &&
         curve_matches_srgb(profile, cmsSigBlueTRCTag);
}

bool all_neutral(const Image& img) {
  const uint8_t* p = img.rgb.data();
  for (size_t i = 0, n = img.rgb.size(); i + 2 < n; i += 3) {
    if (p[i] != p[i + 1] || p[i] != p[i + 2]) return false;
  }
  return true;
}

// A grey profile maps one value to one colour: 256 transformed entries cover the image.
Status convert_gray(LcmsSession* lcms, Image* img) {
  TB_RETURN_IF_ERROR(lcms->create_transform(TYPE_GRAY_8));
  std::array<uint8_t, 256> gray;
  for (int v = 0; v < 256; ++v) gray[v] = static_cast<uint8_t>(v);
  std::array<uint8_t, 256 * 3> table;
  cmsDoTransform(lcms->transform(), gray.data(), table.data(), 256);
  uint8_t* p = img->rgb.data();
  for (size_t i = 0, n = img->rgb.size(); i + 2 < n; i += 3) {
    const uint8_t* rgb = &table[size_t{p[i]} * 3];
    p[i] = rgb[0];
    p[i + 1] = rgb[1];
    p[i + 2] = rgb[2];
  }
  return Status::ok();
}

Status convert_rgb(LcmsSession* lcms, Image* img) {
  TB_RETURN_IF_ERROR(lcms->create_transform(TYPE_RGB_8));
  // In place, a row at a time (cmsDoTransform counts pixels in 32 bits; a row is small),
  // rows in parallel (OpenMP, as the other pixel loops): measured on one core of this
  // session's shared 2-core machine, a Display P3 transform costs ~6 ms to create and
  // ~43 ns a pixel (2048x2048 in 189 ms), so a 12 Mpx phone photo would cost half a
  // second on one core. The parallel speed-up was not measurable here (load 8 on 2 cores).
  const size_t width = static_cast<size_t>(img->width);
  const int64_t height = img->height;
  cmsHTRANSFORM transform = lcms->transform();
  uint8_t* pixels = img->rgb.data();
#pragma omp parallel for schedule(static) if (width * static_cast <size_t>(height) >= \
                                              (size_t{1} << 18))
  for (int64_t y = 0; y < height; ++y) {
    uint8_t* row = pixels + static_cast<size_t>(y) * width * 3;
    cmsDoTransform(transform, row, row, static_cast<cmsUInt32Number>(width));
  }
  return Status::ok();
}

}  // namespace

Status check_icc_profile_size(size_t size) {
  if (size > kMaxIccProfileBytes) {
    return data_loss("embedded ICC profile of " + std::to_string(size) +
                     " bytes exceeds the limit of " + std::to_string(kMaxIccProfileBytes >> 20) +
                     " MiB");
  }
  return Status::ok();
}

bool is_srgb_profile(const uint8_t* profile, size_t size) {
  LcmsSession lcms;
  if (!lcms.open(profile, size).is_ok()) return false;
  return is_srgb(lcms.input());
}

Status convert_to_srgb(Image* img, const uint8_t* profile, size_t size) {
  if (profile == nullptr || size == 0 || img->rgb.empty()) return Status::ok();
  LcmsSession lcms;
  TB_RETURN_IF_ERROR(lcms.open(profile, size));
  const cmsColorSpaceSignature space = cmsGetColorSpace(lcms.input());
  if (space == cmsSigRgbData) {
    if (is_srgb(lcms.input())) return Status::ok();  // the common case: nothing to do
    return convert_rgb(&lcms, img);
  }
  if (space == cmsSigGrayData && all_neutral(*img)) return convert_gray(&lcms, img);
  return Status::ok();  // a profile for other pixels than these: ignored, as browsers do
}

Result<std::unique_ptr<CmykToSrgb>> CmykToSrgb::create(const uint8_t* profile, size_t size,
                                                       bool inverted) {
  auto lcms = std::make_unique<LcmsSession>();
  TB_RETURN_IF_ERROR(lcms->open(profile, size));
  if (cmsGetColorSpace(lcms->input()) != cmsSigCmykData) return std::unique_ptr<CmykToSrgb>();
  TB_RETURN_IF_ERROR(lcms->create_transform(inverted ? TYPE_CMYK_8_REV : TYPE_CMYK_8));
  return std::unique_ptr<CmykToSrgb>(new CmykToSrgb(std::move(lcms)));
}

CmykToSrgb::CmykToSrgb(std::unique_ptr<LcmsSession> lcms) : lcms_(std::move(lcms)) {}

CmykToSrgb::~CmykToSrgb() = default;

void CmykToSrgb::convert_row(const uint8_t* cmyk, uint8_t* rgb, size_t width) const {
  cmsDoTransform(lcms_->transform(), cmyk, rgb, static_cast<cmsUInt32Number>(width));
}

}  // namespace toonbox::image
