// The classical, weight-free inpainting methods IOPaint offers as its `cv2` model:
// Telea's fast marching method (2004) and the Navier-Stokes-inspired method of
// Bertalmío, Bertozzi and Sapiro (2001), both as OpenCV's photo module implements them
// (cv::inpaint, INPAINT_TELEA / INPAINT_NS), which is what users compare against.
//
// Both fill the holes in the order of their distance from the hole's edge (a fast
// marching front, Sethian's T), each pixel from the known pixels within `radius`:
// Telea weights them by direction (along the front's normal), distance and level-set
// closeness and adds a first-order gradient term; Navier-Stokes weights them by how well
// the offset follows the isophote (the image gradient turned by 90 degrees), continuing
// edges into the hole. See fast_marching.h for the shared front and where OpenCV's
// arithmetic (and one deliberate difference) is followed.
#pragma once

#include "core/status.h"
#include "image/image.h"
#include "pipeline/inpaint/inpaint_mask.h"

namespace toonbox::pipeline {

enum class ClassicalMethod { kTelea, kNavierStokes };

// "telea" / "ns".
const char* classical_method_name(ClassicalMethod m);

// Fills the holes of `image` (RGB; alpha untouched) in place; pixels outside the mask are
// never written. `radius` is clamped to 1..100 as OpenCV clamps it. A mask that covers the
// whole image has nothing to fill from: kInvalidArgument saying so.
Status classical_inpaint(ClassicalMethod method, const InpaintMask& mask, int radius,
                         image::Image* image);

}  // namespace toonbox::pipeline
