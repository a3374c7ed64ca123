// The input an upscaler's network sees: the image padded by the model's own prepadding
// (reflect, on every side) and, at the bottom and right, up to its size multiple.
// Real-CUGAN's authors (upcunet_v3.py) reflect-pad both; models without prepadding get
// edge replication to their multiple, as `toonbox run` pads.
#pragma once

#include <cstdint>
#include <vector>

#include "image/image.h"

namespace toonbox::pipeline {

// Mirror index into [0, n) for any i (repeated reflection, so a pad wider than the image
// still has a source pixel: ncnn and PyTorch refuse that case, a tiny image should not).
int reflect_index(int i, int n);

// `image` (RGB only) padded by `pad` on the left and top and by `pad` + `extra_x` /
// `extra_y` on the right and bottom; reflect or edge-replicate.
image::Image pad_image(const image::Image& image, int pad, int extra_x, int extra_y, bool reflect);

// A single 8-bit plane (alpha) resized by Keys' bicubic (a = -0.5, half-pixel centres,
// clamped at the edges), rounded and clamped.
std::vector<uint8_t> resize_plane_bicubic(const std::vector<uint8_t>& plane, int width, int height,
                                          int out_width, int out_height);

}  // namespace toonbox::pipeline
