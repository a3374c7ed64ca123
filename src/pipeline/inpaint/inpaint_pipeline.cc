#include "pipeline/inpaint/inpaint_pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "image/resize.h"
#include "import/model_file.h"
#include "models/model_resolver.h"

namespace toonbox::pipeline {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// `base` with its holes taken from `filled` (same size).
image::Image paste_holes(const image::Image& base, const InpaintMask& mask,
                         const image::Image& filled) {
  image::Image out = base;
  for (size_t i = 0; i < mask.hole.size(); ++i)
    if (mask.hole[i]) std::copy_n(&filled.rgb[i * 3], 3, &out.rgb[i * 3]);
  return out;
}

// A smaller mask in which a pixel is a hole when its footprint in `mask` touches one: a
// thin stroke never vanishes when the image is scaled down for the resize strategy, and no
// known pixel of the small image has a removed pixel averaged into it.
InpaintMask shrink_mask_covering(const InpaintMask& mask, int width, int height) {
  InpaintMask out;
  out.width = width;
  out.height = height;
  out.hole.assign(static_cast<size_t>(width) * height, 0);
  // Source pixel x covers [x * width / W, (x + 1) * width / W) of the small image.
  auto span = [](int x, int small, int big) {
    const int first = static_cast<int>(static_cast<int64_t>(x) * small / big);
    const int last = static_cast<int>((static_cast<int64_t>(x + 1) * small + big - 1) / big) - 1;
    return std::make_pair(first, std::min(small - 1, std::max(first, last)));
  };
  for (int y = 0; y < mask.height; ++y) {
    const auto [y0, y1] = span(y, height, mask.height);
    for (int x = 0; x < mask.width; ++x) {
      if (!mask.at(x, y)) continue;
      const auto [x0, x1] = span(x, width, mask.width);
      for (int sy = y0; sy <= y1; ++sy)
        for (int sx = x0; sx <= x1; ++sx) out.hole[static_cast<size_t>(sy) * width + sx] = 1;
    }
  }
  return out;
}

image::Image colour_only(const image::Image& image) {
  image::Image c;
  c.width = image.width;
  c.height = image.height;
  c.rgb = image.rgb;
  return c;
}

}  // namespace

Result<InpaintStrategy> parse_inpaint_strategy(const std::string& s) {
  if (s == "crop") return InpaintStrategy::kCrop;
  if (s == "resize") return InpaintStrategy::kResize;
  if (s == "original") return InpaintStrategy::kOriginal;
  return invalid_argument("--strategy must be crop, resize or original, got '" + s.substr(0, 40) + "'");
}

const char* inpaint_strategy_name(InpaintStrategy s) {
  switch (s) {
    case InpaintStrategy::kCrop: return "crop";
    case InpaintStrategy::kResize: return "resize";
    case InpaintStrategy::kOriginal: return "original";
  }
  return "?";
}

namespace {

Result<InpaintModel> classical_model(const std::string& name) {
  InpaintModel m;
  m.name = name;
  m.classical = true;
  m.method = name == "telea" ? ClassicalMethod::kTelea : ClassicalMethod::kNavierStokes;
  m.description = name == "telea" ? "built-in: Telea 2004 fast marching (as OpenCV INPAINT_TELEA)"
                                  : "built-in: Navier-Stokes, Bertalmio 2001 (as OpenCV INPAINT_NS)";
  return m;
}

Result<InpaintModel> network_model(const std::string& spec, const models::ResolvedModel& r,
                                   const models::ContractOverrides& flags) {
  InpaintModel m;
  m.name = spec;
  m.classical = false;
  m.description = r.description;
  TB_ASSIGN_OR_RETURN(m.graph, import::import_model_file(r.file()));
  auto contract = models::model_contract(r, m.graph, flags, models::inpainter_contract_defaults(),
                                         &m.contract_how);
  if (!contract.is_ok()) return contract.status().with_context(spec);
  m.contract = contract.value();
  if (!m.contract.mask.present) {
    if (r.role != models::ModelRole::kInpainter && r.known)
      return invalid_argument(spec + " is '" + r.known->name + "', a " + models::role_name(r.role) +
                              " model, not an inpainter (use telea, ns or an inpainting network)");
    return invalid_argument(spec + ": toonbox does not know this model's mask convention, and it cannot be read "
                            "off the graph: give --mask-convention (LaMa exports: hole=1,known=0; MI-GAN's "
                            "pipeline: hole=0,known=255), or record it with `toonbox models import "
                            "--mask-convention`");
  }
  auto inputs = inpaint_inputs(m.graph, m.contract);
  if (!inputs.is_ok()) return inputs.status().with_context(spec);
  m.inputs = inputs.value();
  return m;
}

// The first installed inpainter's name; empty when there is none.
std::string first_installed_inpainter() {
  auto installed = models::list_installed_models();
  if (installed.is_ok())
    for (const models::InstalledModel& m : *installed)
      if (m.role == models::ModelRole::kInpainter) return m.name;
  return "";
}

}  // namespace

Result<InpaintModel> load_inpaint_model(const std::string& spec_in,
                                        const models::ContractOverrides& flags, std::string* note) {
  std::string spec = spec_in.empty() ? first_installed_inpainter() : spec_in;
  if (spec.empty()) {
    spec = "telea";
    if (note) *note = "no inpainting network installed: using the built-in 'telea' method (see `toonbox models import`)";
  }
  if (spec == "telea" || spec == "ns") return classical_model(spec);
  TB_ASSIGN_OR_RETURN(models::ResolvedModel r, models::resolve_model(spec));
  return network_model(spec, r, flags);
}

Result<InpaintModel> load_installed_inpaint_model(const std::string& name_in) {
  std::string name = name_in.empty() || name_in == "default" ? first_installed_inpainter() : name_in;
  if (name.empty()) name = "telea";
  if (name == "telea" || name == "ns") return classical_model(name);
  TB_ASSIGN_OR_RETURN(models::ResolvedModel r, models::resolve_installed_model(name));
  return network_model(name, r, {});
}

InpaintPipeline::InpaintPipeline(InpaintModel model, std::shared_ptr<backend::Backend> backend,
                                 Precision precision)
    : model_(std::move(model)) {
  if (!model_.classical)
    session_ = std::make_unique<engine::Session>(model_.graph, std::move(backend), precision);
}

std::vector<PixelBox> crop_boxes(const InpaintMask& mask, int margin) {
  std::vector<PixelBox> boxes;
  for (PixelBox b : hole_region_boxes(mask)) {
    b.x0 = std::max(0, b.x0 - margin);
    b.y0 = std::max(0, b.y0 - margin);
    b.x1 = std::min(mask.width, b.x1 + margin);
    b.y1 = std::min(mask.height, b.y1 + margin);
    boxes.push_back(b);
  }
  // Merge overlapping boxes until none overlap.
  for (bool merged = true; merged;) {
    merged = false;
    for (size_t i = 0; i < boxes.size() && !merged; ++i)
      for (size_t j = i + 1; j < boxes.size() && !merged; ++j) {
        PixelBox& a = boxes[i];
        const PixelBox& b = boxes[j];
        if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) {
          a = PixelBox{std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1), std::max(a.y1, b.y1)};
          boxes.erase(boxes.begin() + static_cast<std::ptrdiff_t>(j));
          merged = true;
        }
      }
  }
  std::sort(boxes.begin(), boxes.end(), [](const PixelBox& a, const PixelBox& b) {
    return a.y0 != b.y0 ? a.y0 < b.y0 : a.x0 < b.x0;
  });
  return boxes;
}

Result<image::Image> InpaintPipeline::fill(const image::Image& window, const InpaintMask& mask,
                                           const InpaintOptions& options, InpaintReport* report) {
  report->processed_pixels += static_cast<int64_t>(window.width) * window.height;
  ++report->regions;
  const auto t0 = std::chrono::steady_clock::now();
  if (model_.classical) {
    image::Image out = window;
    TB_RETURN_IF_ERROR(classical_inpaint(model_.method, mask, options.radius, &out));
    report->method_ms += ms_since(t0);
    return out;
  }
  engine::RunReport run;
  auto net = run_inpaint_network(*session_, model_.inputs, model_.contract, window, mask, &run);
  report->method_ms += ms_since(t0) - run.compile_ms;
  report->compile_ms += run.compile_ms;
  if (!net.is_ok()) {
    if (net.status().code() != StatusCode::kOutOfMemory) return net.status();
    // Out of device memory: free the compiled shapes and run the window smaller (the
    // engine's tile halving does not apply: LaMa's Fourier blocks see the whole input).
    session_->release();
    const int side = std::max(window.width, window.height) / 2;
    if (side < 256 || model_.inputs.fixed_height > 0) return net.status();
    report->notes.push_back("out of memory at " + std::to_string(window.width) + "x" + std::to_string(window.height) +
                            ": retried with the long side at " + std::to_string(side) + " px");
    --report->regions;
    report->processed_pixels -= static_cast<int64_t>(window.width) * window.height;
    return fill_resized(window, mask, side, options, report);
  }
  return paste_holes(window, mask, *net);
}

Result<image::Image> InpaintPipeline::fill_resized(const image::Image& window,
                                                   const InpaintMask& mask, int limit,
                                                   const InpaintOptions& options,
                                                   InpaintReport* report) {
  const int long_side = std::max(window.width, window.height);
  if (long_side <= limit) return fill(window, mask, options, report);
  const double scale = static_cast<double>(limit) / long_side;
  const int w = std::max(1, static_cast<int>(std::lround(window.width * scale)));
  const int h = std::max(1, static_cast<int>(std::lround(window.height * scale)));
  const image::Image small = image::resize_image(colour_only(window), w, h);
  const InpaintMask small_mask = shrink_mask_covering(mask, w, h);
  TB_ASSIGN_OR_RETURN(image::Image filled, fill(small, small_mask, options, report));
  return paste_holes(window, mask, image::resize_image(filled, window.width, window.height));
}

Result<image::Image> InpaintPipeline::inpaint(const image::Image& image, const InpaintMask& mask,
                                              const InpaintOptions& options,
                                              InpaintReport* report) {
  InpaintReport local;
  if (!report) report = &local;
  if (mask.width != image.width || mask.height != image.height)
    return invalid_argument("the mask is " + std::to_string(mask.width) + "x" + std::to_string(mask.height) +
                            ", the image " + std::to_string(image.width) + "x" + std::to_string(image.height));
  report->hole_pixels = mask.count();
  if (report->hole_pixels == 0) {
    report->strategy_used = "nothing to do";
    return image;
  }
  if (mask.full() && !model_.classical)
    report->notes.push_back("the mask covers the whole image: the result is the network's invention");
  const int long_side = std::max(image.width, image.height);
  InpaintStrategy strategy = options.strategy;
  if (strategy == InpaintStrategy::kCrop && long_side <= options.crop_trigger) {
    strategy = InpaintStrategy::kOriginal;
    report->notes.push_back("crop: the long side is at most " + std::to_string(options.crop_trigger) +
                            " px, so the whole image runs");
  }
  image::Image out;
  if (strategy == InpaintStrategy::kOriginal) {
    report->strategy_used = "whole image";
    TB_ASSIGN_OR_RETURN(out, fill(image, mask, options, report));
  } else if (strategy == InpaintStrategy::kResize) {
    report->strategy_used = long_side <= options.resize_limit
                                ? "resize: already within " + std::to_string(options.resize_limit) + " px"
                                : "resize to a long side of " + std::to_string(options.resize_limit) + " px";
    TB_ASSIGN_OR_RETURN(out, fill_resized(image, mask, options.resize_limit, options, report));
  } else {
    const std::vector<PixelBox> boxes = crop_boxes(mask, options.crop_margin);
    report->strategy_used = "crop (" + std::to_string(boxes.size()) + (boxes.size() == 1 ? " box)" : " boxes)");
    out = image;
    for (const PixelBox& box : boxes) {
      const InpaintMask window_mask = crop_mask(mask, box);
      TB_ASSIGN_OR_RETURN(image::Image filled,
                          fill(crop_image(image, box), window_mask, options, report));
      for (int y = 0; y < box.height(); ++y)
        for (int x = 0; x < box.width(); ++x)
          if (window_mask.at(x, y))
            std::copy_n(&filled.rgb[(static_cast<size_t>(y) * box.width() + x) * 3], 3,
                        &out.rgb[(static_cast<size_t>(y + box.y0) * image.width + box.x0 + x) * 3]);
    }
  }
  out.alpha = image.alpha;  // passed through: the methods fill colour
  return out;
}

}  // namespace toonbox::pipeline
