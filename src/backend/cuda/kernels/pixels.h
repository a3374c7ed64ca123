// 8-bit RGB pixels <-> an image model's input/output tensor on the device (pixels.cu):
// the conversion of pipeline/image_tensor.cc (fill_image_tensor, output_to_image) done
// where the tensor lives, so only 3 bytes a pixel cross PCIe each way and the host
// never converts (backend.h's PixelConversion).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace toonbox::cuda {

struct PixelTensorGeometry {
  bool half = false;  // the tensor's storage type: __half, else float
  bool nhwc = true;
  int n = 1, channels = 3, height = 0, width = 0;  // the tensor
  bool bgr = false;
  int margin = 0;
  float lo = 0, scale = 1;  // in: tensor = lo + px * scale; out: px = (tensor - lo) * scale
};

// `rgb`: n images of image_h x image_w, packed RGB, on the device.
cudaError_t launch_pixels_to_tensor(const uint8_t* rgb, int image_h, int image_w,
                                    const PixelTensorGeometry& g, void* tensor, cudaStream_t stream);
// Reads the window (margin, margin, out_w, out_h) of every batch item into `rgb`.
cudaError_t launch_tensor_to_pixels(const void* tensor, const PixelTensorGeometry& g, int out_h,
                                    int out_w, uint8_t* rgb, cudaStream_t stream);

}  // namespace toonbox::cuda
