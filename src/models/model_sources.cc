#include "models/model_sources.h"

#include "models/test_registry.h"

namespace toonbox::models {

namespace {

// How each URL was checked: nothing can be fetched from where this table was written (no
// internet), so no URL here has been requested over HTTP. What was checked is that the
// bytes behind it are the registry's: the git blob at the pinned commit of the named
// repository (a snapshot of it) hashes to the registry's sha256 and has this size, and for
// the npm packages, the files of the package at that version (`npm pack`) do.
constexpr const char* kGitBlobChecked =
    "git blob at the pinned commit hashed (sha256 and size match the registry); the URL itself not fetched";
constexpr const char* kNpmPackageChecked =
    "files of the npm package at that version hashed (sha256 and size match); the jsDelivr URL not fetched";

std::vector<ModelSource> registry_sources() {
  // realesr-animevideov3: upstream ships the same weights three times
  // (realesr-animevideov3-x2/-x3/-x4.bin); the registry keeps one, realesr-animevideov3.bin.
  return {
      {"whitebox",
       {{"model.json", "https://raw.githubusercontent.com/kartikeyahl/white_box_cartoonization_js/fc1eec85c211ea98a47857014307d406fc12c059/web-float16/model.json", 44803},
        {"group1-shard1of1.bin", "https://raw.githubusercontent.com/kartikeyahl/white_box_cartoonization_js/fc1eec85c211ea98a47857014307d406fc12c059/web-float16/group1-shard1of1.bin", 2934592}},
       "", kGitBlobChecked},
      {"whitebox-uint8",
       {{"model.json", "https://raw.githubusercontent.com/kartikeyahl/white_box_cartoonization_js/fc1eec85c211ea98a47857014307d406fc12c059/web-uint8/model.json", 47254},
        {"group1-shard1of1.bin", "https://raw.githubusercontent.com/kartikeyahl/white_box_cartoonization_js/fc1eec85c211ea98a47857014307d406fc12c059/web-uint8/group1-shard1of1.bin", 1467344}},
       "", kGitBlobChecked},
      {"animeganv3-cute",
       {{"AnimeGANv3_tiny_Cute.onnx", "https://raw.githubusercontent.com/tuanmjnh/AnimeGANv3_Video/68b721c853d00a417eda9f18c2e950dfb7cdc60e/resources/AnimeGANv3_tiny_Cute.onnx", 2452590}},
       "", kGitBlobChecked},
      {"yunet",
       {{"yunet_n_dynamic.onnx", "https://raw.githubusercontent.com/ShiqiYu/libfacedetection.train/0047ac24afb1a50a0c6105001c89d1b5b805dbf1/onnx/yunet_n_dynamic.onnx", 322906}},
       "", kGitBlobChecked},
      {"retinaface",
       {{"detection_mobilenet0.25_Final.onnx", "https://raw.githubusercontent.com/TachibanaYoshino/AnimeGANv3_Portrait_Inference/b2c5ae2755a0db00def54b67ac1f98f18725d9d1/core/model_core/detection_mobilenet0.25_Final.onnx", 1719139}},
       "", kGitBlobChecked},
      {"realesr-animevideov3-x4",
       {{"realesr-animevideov3-x4.param", "https://raw.githubusercontent.com/upscayl/upscayl/a00d55fee90e0f9435d5eaa86e76700df8199af8/models/realesr-animevideov3-x4.param", 3077},
        {"realesr-animevideov3.bin", "https://raw.githubusercontent.com/upscayl/upscayl/a00d55fee90e0f9435d5eaa86e76700df8199af8/models/realesr-animevideov3-x4.bin", 1247368}},
       "", kGitBlobChecked},
      {"realesr-animevideov3-x3",
       {{"realesr-animevideov3-x3.param", "https://raw.githubusercontent.com/upscayl/upscayl/a00d55fee90e0f9435d5eaa86e76700df8199af8/models/realesr-animevideov3-x3.param", 3173},
        {"realesr-animevideov3.bin", "https://raw.githubusercontent.com/upscayl/upscayl/a00d55fee90e0f9435d5eaa86e76700df8199af8/models/realesr-animevideov3-x3.bin", 1247368}},
       "", kGitBlobChecked},
      {"realesr-animevideov3-x2",
       {{"realesr-animevideov3-x2.param", "https://raw.githubusercontent.com/upscayl/upscayl/a00d55fee90e0f9435d5eaa86e76700df8199af8/models/realesr-animevideov3-x2.param", 3173},
        {"realesr-animevideov3.bin", "https://raw.githubusercontent.com/upscayl/upscayl/a00d55fee90e0f9435d5eaa86e76700df8199af8/models/realesr-animevideov3-x2.bin", 1247368}},
       "", kGitBlobChecked},
      {"realcugan-2x-conservative",
       {{"up2x-conservative.param", "https://raw.githubusercontent.com/nihui/realcugan-ncnn-vulkan/395302c5c70f1bff604c974e92e0a87e45c9f9ee/models/models-se/up2x-conservative.param", 4761},
        {"up2x-conservative.bin", "https://raw.githubusercontent.com/nihui/realcugan-ncnn-vulkan/395302c5c70f1bff604c974e92e0a87e45c9f9ee/models/models-se/up2x-conservative.bin", 2573648}},
       "", kGitBlobChecked},
      {"esrgan-slim-x2",
       {{"model.json", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-slim@1.0.0/models/x2/model.json", 12336},
        {"group1-shard1of1.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-slim@1.0.0/models/x2/group1-shard1of1.bin", 888300}},
       "", kNpmPackageChecked},
      {"esrgan-slim-x3",
       {{"model.json", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-slim@1.0.0/models/x3/model.json", 12336},
        {"group1-shard1of1.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-slim@1.0.0/models/x3/group1-shard1of1.bin", 907260}},
       "", kNpmPackageChecked},
      {"esrgan-slim-x4",
       {{"model.json", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-slim@1.0.0/models/x4/model.json", 12336},
        {"group1-shard1of1.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-slim@1.0.0/models/x4/group1-shard1of1.bin", 933804}},
       "", kNpmPackageChecked},
      {"esrgan-slim-x8",
       {{"model.json", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-slim@1.0.0/models/x8/model.json", 12340},
        {"group1-shard1of1.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-slim@1.0.0/models/x8/group1-shard1of1.bin", 1115820}},
       "", kNpmPackageChecked},
      {"esrgan-medium-x2",
       {{"model.json", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-medium@1.0.0/models/x2/model.json", 30051},
        {"group1-shard1of1.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-medium@1.0.0/models/x2/group1-shard1of1.bin", 2772940}},
       "", kNpmPackageChecked},
      {"esrgan-medium-x3",
       {{"model.json", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-medium@1.0.0/models/x3/model.json", 30051},
        {"group1-shard1of1.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-medium@1.0.0/models/x3/group1-shard1of1.bin", 2791900}},
       "", kNpmPackageChecked},
      {"esrgan-medium-x4",
       {{"model.json", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-medium@1.0.0/models/x4/model.json", 30051},
        {"group1-shard1of1.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-medium@1.0.0/models/x4/group1-shard1of1.bin", 2818444}},
       "", kNpmPackageChecked},
      {"esrgan-medium-x8",
       {{"model.json", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-medium@1.0.0/models/x8/model.json", 30055},
        {"group1-shard1of1.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-medium@1.0.0/models/x8/group1-shard1of1.bin", 3000460}},
       "", kNpmPackageChecked},
      {"esrgan-thick-x2",
       {{"model.json", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x2/model.json", 193998},
        {"group1-shard1of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x2/group1-shard1of7.bin", 4194304},
        {"group1-shard2of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x2/group1-shard2of7.bin", 4194304},
        {"group1-shard3of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x2/group1-shard3of7.bin", 4194304},
        {"group1-shard4of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x2/group1-shard4of7.bin", 4194304},
        {"group1-shard5of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x2/group1-shard5of7.bin", 4194304},
        {"group1-shard6of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x2/group1-shard6of7.bin", 4194304},
        {"group1-shard7of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x2/group1-shard7of7.bin", 3794048}},
       "", kNpmPackageChecked},
      {"esrgan-thick-x3",
       {{"model.json", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x3/model.json", 193998},
        {"group1-shard1of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x3/group1-shard1of7.bin", 4194304},
        {"group1-shard2of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x3/group1-shard2of7.bin", 4194304},
        {"group1-shard3of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x3/group1-shard3of7.bin", 4194304},
        {"group1-shard4of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x3/group1-shard4of7.bin", 4194304},
        {"group1-shard5of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x3/group1-shard5of7.bin", 4194304},
        {"group1-shard6of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x3/group1-shard6of7.bin", 4194304},
        {"group1-shard7of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x3/group1-shard7of7.bin", 3828668}},
       "", kNpmPackageChecked},
      {"esrgan-thick-x4",
       {{"model.json", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x4/model.json", 193998},
        {"group1-shard1of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x4/group1-shard1of7.bin", 4194304},
        {"group1-shard2of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x4/group1-shard2of7.bin", 4194304},
        {"group1-shard3of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x4/group1-shard3of7.bin", 4194304},
        {"group1-shard4of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x4/group1-shard4of7.bin", 4194304},
        {"group1-shard5of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x4/group1-shard5of7.bin", 4194304},
        {"group1-shard6of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x4/group1-shard6of7.bin", 4194304},
        {"group1-shard7of7.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x4/group1-shard7of7.bin", 3877136}},
       "", kNpmPackageChecked},
      {"esrgan-thick-x8",
       {{"model.json", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x8/model.json", 194025},
        {"group1-shard1of8.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x8/group1-shard1of8.bin", 4194304},
        {"group1-shard2of8.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x8/group1-shard2of8.bin", 4194304},
        {"group1-shard3of8.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x8/group1-shard3of8.bin", 4194304},
        {"group1-shard4of8.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x8/group1-shard4of8.bin", 4194304},
        {"group1-shard5of8.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x8/group1-shard5of8.bin", 4194304},
        {"group1-shard6of8.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x8/group1-shard6of8.bin", 4194304},
        {"group1-shard7of8.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x8/group1-shard7of8.bin", 4194304},
        {"group1-shard8of8.bin", "https://cdn.jsdelivr.net/npm/@upscalerjs/esrgan-thick@1.0.0/models/x8/group1-shard8of8.bin", 15184}},
       "", kNpmPackageChecked},
      {"style-candy", {},
       "ncnn-android-styletransfer ships the network's param only as a C array "
       "(app/src/main/jni/styletransfer.param.bin.h), not as a file; the weights are "
       "app/src/main/assets/candy.bin. Put styletransfer.param.bin (the array's bytes), "
       "styletransfer.param.id.h.txt (styletransfer.id.h) and candy.bin in a folder and use --from",
       ""},
      {"style-mosaic", {},
       "ncnn-android-styletransfer ships the network's param only as a C array "
       "(app/src/main/jni/styletransfer.param.bin.h), not as a file; the weights are "
       "app/src/main/assets/mosaic.bin. Put styletransfer.param.bin (the array's bytes), "
       "styletransfer.param.id.h.txt (styletransfer.id.h) and mosaic.bin in a folder and use --from",
       ""},
      {"lama",
       {{"lama_fp32.onnx", "https://huggingface.co/Carve/LaMa-ONNX/resolve/main/lama_fp32.onnx", 0}},
       "",
       "NOT checked: no copy of the file was available; the URL follows the branch 'main' (not a "
       "commit) and the registry's digest decides whether what it serves is installed"},
  };
}

}  // namespace

const std::vector<ModelSource>& model_sources() {
  static const std::vector<ModelSource> all = [] {
    std::vector<ModelSource> v = registry_sources();
    for (const ModelSource& s : test_registry_sources()) v.push_back(s);
    return v;
  }();
  return all;
}

const ModelSource* find_model_source(const std::string& model) {
  for (const ModelSource& s : model_sources())
    if (s.model == model) return &s;
  return nullptr;
}

std::string mirrored_url(const std::string& url, const std::string& mirror) {
  if (mirror.empty()) return url;
  const size_t scheme_end = url.find("://");
  const std::string host_and_path = scheme_end == std::string::npos ? url : url.substr(scheme_end + 3);
  std::string base = mirror;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + host_and_path;
}

}  // namespace toonbox::models
