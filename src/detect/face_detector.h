// A face detector ready to use on images: the network (YuNet or RetinaFace, an IR graph)
// in an engine Session, the image scaled so its long side is at most `max_side`, the
// model's pre- and post-processing (face_decode.h), and the faces mapped back to the
// image's pixels. For portrait mode (face crops) and tools.
#pragma once

#include <memory>
#include <vector>

#include "detect/face_decode.h"
#include "engine/session.h"
#include "image/image.h"

namespace toonbox::detect {

enum class FaceModel : uint8_t { kYuNet, kRetinaFace };

// The defaults the models' own demos use (YuNet: OpenCV's 0.9 is strict for small
// faces; 0.6 keeps them), NMS IoU 0.3 / 0.4.
DecodeOptions default_decode_options(FaceModel model);

class FaceDetector {
 public:
  FaceDetector(FaceModel model, graph::Graph graph, std::shared_ptr<backend::Backend> backend,
               Precision precision, DecodeOptions options);
  FaceDetector(FaceModel model, graph::Graph graph, std::shared_ptr<backend::Backend> backend,
               Precision precision)
      : FaceDetector(model, std::move(graph), std::move(backend), precision,
                     default_decode_options(model)) {}

  // Faces in `image`'s pixel coordinates, by descending score.
  Result<std::vector<Face>> detect(const image::Image& image, int max_side = 640);

 private:
  FaceModel model_;
  engine::Session session_;
  DecodeOptions options_;
};

}  // namespace toonbox::detect
