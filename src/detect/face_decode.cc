#include "detect/face_decode.h"

#include <algorithm>
#include <cmath>

namespace toonbox::detect {

namespace {

Tensor bgr_planes(const uint8_t* rgb, int w, int h, int out_w, int out_h, const float mean[3]) {
  Tensor t(DType::kFloat32, {1, 3, out_h, out_w});
  float* d = t.data<float>();
  const int64_t plane = static_cast<int64_t>(out_h) * out_w;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)  // BGR plane c reads RGB channel 2 - c
        d[c * plane + static_cast<int64_t>(y) * out_w + x] =
            rgb[(static_cast<size_t>(y) * w + x) * 3 + (2 - c)] - mean[c];
  return t;
}

Status expect_rows(const Tensor& t, int64_t rows, int64_t cols, const char* what) {
  if (t.numel() != rows * cols)
    return invalid_argument(std::string(what) + ": got " + shape_to_string(t.shape()) +
                            ", expected " + std::to_string(rows) + " x " + std::to_string(cols));
  return Status::ok();
}

}  // namespace

float iou(const Face& a, const Face& b) {
  const float ix = std::max(0.f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
  const float iy = std::max(0.f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
  const float inter = ix * iy;
  const float uni = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return uni > 0 ? inter / uni : 0.f;
}

std::vector<Face> non_max_suppression(std::vector<Face> faces, float iou_threshold, int top_k) {
  std::stable_sort(faces.begin(), faces.end(),
                   [](const Face& a, const Face& b) { return a.score > b.score; });
  if (top_k > 0 && static_cast<int>(faces.size()) > top_k) faces.resize(top_k);
  std::vector<Face> kept;
  for (const Face& f : faces) {
    bool keep = true;
    for (const Face& k : kept)
      if (iou(f, k) > iou_threshold) {
        keep = false;
        break;
      }
    if (keep) kept.push_back(f);
  }
  return kept;
}

Tensor yunet_input(const uint8_t* rgb, int width, int height) {
  const float zero[3] = {0, 0, 0};
  const int pw = (width + 31) / 32 * 32, ph = (height + 31) / 32 * 32;
  return bgr_planes(rgb, width, height, pw, ph, zero);
}

Result<std::vector<Face>> decode_yunet(const std::vector<Tensor>& out, int in_w, int in_h,
                                       const DecodeOptions& options) {
  if (out.size() != 12)
    return invalid_argument("YuNet has 12 outputs, got " + std::to_string(out.size()));
  std::vector<Face> faces;
  const int strides[3] = {8, 16, 32};
  int64_t anchor_base = 0;
  for (int s = 0; s < 3; ++s) {
    const int stride = strides[s];
    const int cols = in_w / stride, rows = in_h / stride;
    const int64_t n = static_cast<int64_t>(rows) * cols;
    const Tensor &cls = out[s], &obj = out[3 + s], &box = out[6 + s], &kps = out[9 + s];
    TB_RETURN_IF_ERROR(expect_rows(cls, n, 1, "cls"));
    TB_RETURN_IF_ERROR(expect_rows(obj, n, 1, "obj"));
    TB_RETURN_IF_ERROR(expect_rows(box, n, 4, "bbox"));
    TB_RETURN_IF_ERROR(expect_rows(kps, n, 10, "kps"));
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        const int64_t i = static_cast<int64_t>(r) * cols + c;
        const float cs = std::clamp(cls.data<float>()[i], 0.f, 1.f);
        const float os = std::clamp(obj.data<float>()[i], 0.f, 1.f);
        const float score = std::sqrt(cs * os);
        if (score < options.score_threshold) continue;
        const float* b = box.data<float>() + i * 4;
        const float cx = (c + b[0]) * stride, cy = (r + b[1]) * stride;
        const float w = std::exp(b[2]) * stride, h = std::exp(b[3]) * stride;
        Face f{cx - w / 2,
               cy - h / 2,
               cx + w / 2,
               cy + h / 2,
               score,
               {},
               static_cast<int>(anchor_base + i)};
        const float* k = kps.data<float>() + i * 10;
        for (int p = 0; p < 5; ++p) {
          f.landmarks[2 * p] = (k[2 * p] + c) * stride;
          f.landmarks[2 * p + 1] = (k[2 * p + 1] + r) * stride;
        }
        faces.push_back(f);
      }
    anchor_base += n;
  }
  if (!options.nms) return faces;
  return non_max_suppression(std::move(faces), options.nms_iou, options.top_k);
}

Tensor retinaface_input(const uint8_t* rgb, int width, int height) {
  const float mean[3] = {104.f, 117.f, 123.f};
  return bgr_planes(rgb, width, height, width, height, mean);
}

Result<std::vector<Face>> decode_retinaface(const std::vector<Tensor>& out, int in_w, int in_h,
                                            const DecodeOptions& options) {
  if (out.size() != 3)
    return invalid_argument("RetinaFace has 3 outputs, got " + std::to_string(out.size()));
  // Priors: per level, per cell (row-major), per min size, (cx, cy, w, h) normalized.
  const int steps[3] = {8, 16, 32};
  const int min_sizes[3][2] = {{16, 32}, {64, 128}, {256, 512}};
  std::vector<std::array<float, 4>> priors;
  for (int k = 0; k < 3; ++k) {
    const int fh = (in_h + steps[k] - 1) / steps[k], fw = (in_w + steps[k] - 1) / steps[k];
    for (int i = 0; i < fh; ++i)
      for (int j = 0; j < fw; ++j)
        for (int m = 0; m < 2; ++m)
          priors.push_back({(j + 0.5f) * steps[k] / in_w, (i + 0.5f) * steps[k] / in_h,
                            static_cast<float>(min_sizes[k][m]) / in_w,
                            static_cast<float>(min_sizes[k][m]) / in_h});
  }
  const int64_t a = static_cast<int64_t>(priors.size());
  TB_RETURN_IF_ERROR(expect_rows(out[0], a, 4, "loc"));
  TB_RETURN_IF_ERROR(expect_rows(out[1], a, 2, "conf"));
  TB_RETURN_IF_ERROR(expect_rows(out[2], a, 10, "landms"));
  constexpr float kVar0 = 0.1f, kVar1 = 0.2f;
  std::vector<Face> faces;
  for (int64_t i = 0; i < a; ++i) {
    const float score = out[1].data<float>()[i * 2 + 1];
    if (score < options.score_threshold) continue;
    const auto& p = priors[i];
    const float* l = out[0].data<float>() + i * 4;
    const float cx = p[0] + l[0] * kVar0 * p[2], cy = p[1] + l[1] * kVar0 * p[3];
    const float w = p[2] * std::exp(l[2] * kVar1), h = p[3] * std::exp(l[3] * kVar1);
    Face f{(cx - w / 2) * in_w,
           (cy - h / 2) * in_h,
           (cx + w / 2) * in_w,
           (cy + h / 2) * in_h,
           score,
           {},
           static_cast<int>(i)};
    const float* k = out[2].data<float>() + i * 10;
    for (int q = 0; q < 5; ++q) {
      f.landmarks[2 * q] = (p[0] + k[2 * q] * kVar0 * p[2]) * in_w;
      f.landmarks[2 * q + 1] = (p[1] + k[2 * q + 1] * kVar0 * p[3]) * in_h;
    }
    faces.push_back(f);
  }
  if (!options.nms) return faces;
  return non_max_suppression(std::move(faces), options.nms_iou, options.top_k);
}

}  // namespace toonbox::detect
