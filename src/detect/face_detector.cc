#include "detect/face_detector.h"

#include <algorithm>
#include <cmath>

#include "image/resize.h"

namespace toonbox::detect {

DecodeOptions default_decode_options(FaceModel model) {
  DecodeOptions o;
  o.score_threshold = model == FaceModel::kYuNet ? 0.6f : 0.5f;
  o.nms_iou = model == FaceModel::kYuNet ? 0.3f : 0.4f;
  return o;
}

FaceDetector::FaceDetector(FaceModel model, graph::Graph graph,
                           std::shared_ptr<backend::Backend> backend, Precision precision,
                           DecodeOptions options)
    : model_(model), session_(std::move(graph), std::move(backend), precision), options_(options) {}

Result<std::vector<Face>> FaceDetector::detect(const image::Image& image, int max_side) {
  if (image.width <= 0 || image.height <= 0) return invalid_argument("empty image");
  if (max_side < 32) return invalid_argument("max_side must be at least 32");
  const double scale =
      std::min(1.0, static_cast<double>(max_side) / std::max(image.width, image.height));
  image::Image small;
  const image::Image* src = &image;
  if (scale < 1.0) {
    small =
        image::resize_image(image, std::max(1, static_cast<int>(std::lround(image.width * scale))),
                            std::max(1, static_cast<int>(std::lround(image.height * scale))));
    if (small.width <= 0) return internal_error("resizing the image for detection failed");
    src = &small;
  }
  const bool yunet = model_ == FaceModel::kYuNet;
  const Tensor input = yunet ? yunet_input(src->rgb.data(), src->width, src->height)
                             : retinaface_input(src->rgb.data(), src->width, src->height);
  TB_ASSIGN_OR_RETURN(std::vector<Tensor> out, session_.run({input}));
  const int iw = static_cast<int>(input.dim(3)), ih = static_cast<int>(input.dim(2));
  TB_ASSIGN_OR_RETURN(std::vector<Face> faces, yunet ? decode_yunet(out, iw, ih, options_)
                                                     : decode_retinaface(out, iw, ih, options_));
  // Back to the image's pixels (the padding is bottom/right, so only a scale).
  const float sx = static_cast<float>(image.width) / src->width;
  const float sy = static_cast<float>(image.height) / src->height;
  for (Face& f : faces) {
    f.x1 *= sx;
    f.x2 *= sx;
    f.y1 *= sy;
    f.y2 *= sy;
    for (int k = 0; k < 5; ++k) {
      f.landmarks[2 * k] *= sx;
      f.landmarks[2 * k + 1] *= sy;
    }
  }
  return faces;
}

}  // namespace toonbox::detect
