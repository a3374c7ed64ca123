// Face detectors' pre- and post-processing: YuNet (libfacedetection.train, anchor-free,
// strides 8/16/32) and RetinaFace MobileNet-0.25 (biubug6/Pytorch_Retinaface: SSD-style
// priors with variances). The network itself runs through an engine Session; these
// functions turn an RGB image into its input tensor and its raw outputs into boxes,
// five landmarks and scores, followed by greedy non-maximum suppression.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"

namespace toonbox::detect {

struct Face {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;  // pixels of the input image
  float score = 0;
  std::array<float, 10> landmarks{};  // right eye, left eye, nose, mouth right, mouth left (x, y)
  int anchor = -1;  // the prior (RetinaFace) or grid cell over all strides (YuNet) it came from
};

struct DecodeOptions {
  float score_threshold = 0.6f;
  float nms_iou = 0.3f;
  int top_k = 750;  // candidates kept before NMS, by score
  bool nms = true;  // false: every candidate over the threshold (for comparisons)
};

// NCHW BGR in 0..255, H and W padded (zeros, bottom/right) to multiples of 32, as
// OpenCV's FaceDetectorYN does.
Tensor yunet_input(const uint8_t* rgb, int width, int height);
// `outputs` in the model's order: cls_8/16/32, obj_8/16/32, bbox_8/16/32, kps_8/16/32.
// in_w/in_h: the padded input's size.
Result<std::vector<Face>> decode_yunet(const std::vector<Tensor>& outputs, int in_w, int in_h,
                                       const DecodeOptions& options);

// NCHW BGR minus the training mean (104, 117, 123), any size.
Tensor retinaface_input(const uint8_t* rgb, int width, int height);
// `outputs`: loc [1,A,4], conf [1,A,2] (softmaxed), landms [1,A,10].
Result<std::vector<Face>> decode_retinaface(const std::vector<Tensor>& outputs, int in_w, int in_h,
                                            const DecodeOptions& options);

// Greedy NMS by descending score; `faces` need not be sorted.
std::vector<Face> non_max_suppression(std::vector<Face> faces, float iou_threshold, int top_k);
float iou(const Face& a, const Face& b);

}  // namespace toonbox::detect
