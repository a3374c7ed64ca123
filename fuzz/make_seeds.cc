// Writes the fuzz seed corpus: small valid and interesting inputs for every harness,
// made here from generated pixels and synthetic models (never from ../shared photos),
// so the corpus is reproducible and nothing derived from test data is committed. The
// build runs it into <build>/fuzz/corpus/<harness>/ (fuzz/CMakeLists.txt); the libFuzzer
// runs start from the same folders (tools/fuzz_run.sh).
//
// usage: toonbox_fuzz_seeds OUT_DIR
#include <lcms2.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "image/image.h"
#include "image/image_io.h"
#include "unit/image_test_util.h"
#include "unit/onnx_test_util.h"
#include "unit/ncnn_test_util.h"
#include "unit/tfjs_layers_test_util.h"
#include "unit/tfjs_test_util.h"

using namespace toonbox::image;

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

namespace {

fs::path g_out;

void seed(const std::string& harness, const std::string& name, const void* data, size_t size) {
  const fs::path dir = g_out / harness;
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary).write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}
void seed(const std::string& harness, const std::string& name, const Bytes& b) { seed(harness, name, b.data(), b.size()); }
void seed(const std::string& harness, const std::string& name, const std::string& s) { seed(harness, name, s.data(), s.size()); }

Bytes slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A wide-gamut (Display P3) matrix/shaper profile from lcms2, so the decoders' colour
// path (profile extraction, lcms2 parsing, the transform) is in the corpus.
Bytes p3_profile() {
  const cmsCIExyY d65 = {0.3127, 0.3290, 1.0};
  const cmsCIExyYTRIPLE p3 = {{0.680, 0.320, 1.0}, {0.265, 0.690, 1.0}, {0.150, 0.060, 1.0}};
  cmsToneCurve* curve = cmsBuildGamma(nullptr, 2.2);
  cmsToneCurve* curves[3] = {curve, curve, curve};
  cmsHPROFILE profile = cmsCreateRGBProfile(&d65, &p3, curves);
  cmsFreeToneCurve(curve);
  cmsUInt32Number size = 0;
  cmsSaveProfileToMem(profile, nullptr, &size);
  Bytes bytes(size);
  cmsSaveProfileToMem(profile, bytes.data(), &size);
  cmsCloseProfile(profile);
  return bytes;
}

// One APP2 ICC_PROFILE segment after SOI.
Bytes jpeg_with_icc(const Bytes& jpeg, const Bytes& profile) {
  const size_t length = 2 + 12 + 2 + profile.size();
  Bytes out(jpeg.begin(), jpeg.begin() + 2);
  out.insert(out.end(), {0xFF, 0xE2, static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)});
  const char* header = "ICC_PROFILE";
  out.insert(out.end(), header, header + 12);
  out.insert(out.end(), {1, 1});
  out.insert(out.end(), profile.begin(), profile.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

// An iCCP chunk after IHDR.
Bytes png_with_iccp(const Bytes& png, const Bytes& profile) {
  uLongf packed = compressBound(static_cast<uLong>(profile.size()));
  Bytes data = {'p', '3', 0, 0};
  data.resize(4 + packed);
  compress(data.data() + 4, &packed, profile.data(), static_cast<uLong>(profile.size()));
  data.resize(4 + packed);
  const Bytes chunk = toonbox::image_test::png_chunk("iCCP", data);
  Bytes out(png.begin(), png.begin() + 33);
  out.insert(out.end(), chunk.begin(), chunk.end());
  out.insert(out.end(), png.begin() + 33, png.end());
  return out;
}

void images() {
  using namespace toonbox;
  const Image small = image_test::make_gradient(24, 16, false);
  const Image alpha = image_test::make_gradient(17, 9, true);
  for (int q : {50, 95}) {
    seed("jpeg", "gradient_q" + std::to_string(q) + ".jpg", encode_image(small, {ImageFormat::kJpeg, q}).value());
    seed("webp", "gradient_q" + std::to_string(q) + ".webp", encode_image(small, {ImageFormat::kWebp, q}).value());
  }
  seed("webp", "alpha_lossless.webp", encode_image(alpha, {ImageFormat::kWebp, 100}).value());
  const Bytes simple = encode_image(small, {ImageFormat::kWebp, 80}).value();
  seed("webp", "exif.webp", image_test::webp_with_exif(simple, 24, 16, image_test::exif_tiff(6, false)));
  seed("webp", "animated.webp", image_test::animated_webp(simple, 24, 16));
  seed("jpeg", "progressive.jpg",
       image_test::write_jpeg_with_libjpeg(small.rgb, 24, 16, 3, JCS_RGB, 80, false, true));
  seed("jpeg", "cmyk_adobe.jpg", image_test::write_jpeg_with_libjpeg(Bytes(8 * 8 * 4, 90), 8, 8, 4, JCS_CMYK, 80));
  seed("jpeg", "gray.jpg", image_test::write_jpeg_with_libjpeg(Bytes(16 * 8, 60), 16, 8, 1, JCS_GRAYSCALE, 70));
  seed("jpeg", "exif_rotated.jpg",
       image_test::with_exif_app1(encode_image(small, {ImageFormat::kJpeg, 70}).value(), image_test::exif_tiff(8, true)));
  seed("png", "rgb.png", encode_image(small, {ImageFormat::kPng, 92}).value());
  seed("jpeg", "icc_p3.jpg", jpeg_with_icc(encode_image(small, {ImageFormat::kJpeg, 80}).value(), p3_profile()));
  seed("png", "icc_p3.png", png_with_iccp(encode_image(alpha, {ImageFormat::kPng, 92}).value(), p3_profile()));
  seed("png", "rgba.png", encode_image(alpha, {ImageFormat::kPng, 92}).value());
  seed("png", "claims_100000x100000.png", image_test::png_claiming_size(100000, 100000));
  for (auto [depth, type] : std::vector<std::pair<int, int>>{{1, 0}, {16, 6}, {8, 3}, {4, 4}, {16, 2}}) {
    image_test::RawPng raw = image_test::raw_png(5, 3, depth, type);
    const int channels = type == 0 || type == 3 ? 1 : type == 4 ? 2 : type == 2 ? 3 : 4;
    for (int i = 0; i < 5 * 3 * channels; ++i) raw.samples.push_back(static_cast<uint16_t>((i * 37) % (1 << std::min(depth, 8))));
    if (type == 3) raw.plte = {0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255};
    raw.interlaced = depth == 16;
    if (depth == 8) raw.exif = image_test::exif_tiff(3, false);
    seed("png", "raw_d" + std::to_string(depth) + "_t" + std::to_string(type) + ".png", image_test::build_png(raw));
  }
  for (int o : {1, 3, 6, 8}) {
    for (bool be : {false, true}) {
      const Bytes tiff = image_test::exif_tiff(o, be);
      seed("exif", "tiff_o" + std::to_string(o) + (be ? "_be" : "_le"), tiff);
      Bytes app1 = {'E', 'x', 'i', 'f', 0, 0};
      app1.insert(app1.end(), tiff.begin(), tiff.end());
      seed("exif", "app1_o" + std::to_string(o) + (be ? "_be" : "_le"), app1);
    }
  }
}

void tfjs(const fs::path& scratch) {
  using toonbox::test::TfjsModelBuilder;
  using toonbox::test::WeightFormat;
  const WeightFormat formats[] = {WeightFormat::kFloat32, WeightFormat::kFloat16, WeightFormat::kUInt8};
  for (int i = 0; i < 3; ++i) {
    TfjsModelBuilder b;
    b.placeholder("x", {1, -1, -1, 3});
    b.const_f32("w", {3, 3, 3, 2}, std::vector<float>(54, 0.25f), formats[i]);
    b.const_f32("bias", {2}, {0.1f, -0.1f}, formats[i]);
    b.node("conv", "Conv2D", {"x", "w"}, toonbox::test::conv_attrs(1, "SAME"));
    b.node("add", "BiasAdd", {"conv", "bias"});
    b.node("out", "Relu", {"add"});
    const fs::path dir = scratch / ("tfjs" + std::to_string(i));
    b.write(dir);
    const Bytes json = slurp(dir / "model.json"), shard = slurp(dir / "group1-shard1of1.bin");
    Bytes both = json;
    both.insert(both.end(), toonbox::fuzz::kFileSeparator.begin(), toonbox::fuzz::kFileSeparator.end());
    both.insert(both.end(), shard.begin(), shard.end());
    seed("tfjs", "conv_" + std::to_string(i), both);
    if (i == 0) seed("tfjs", "json_only", json);
  }
  // A layers model with every layer class the layers importer knows.
  toonbox::test::LayersModelBuilder l;
  using J = toonbox::test::LayersModelBuilder::J;
  l.input("in", {-1, -1, -1, 2});
  l.conv2d("c1", "in", 3, 3, 2, 4, std::vector<float>(72, 0.1f), {0.f, 0.1f, 0.2f, 0.3f}, "same", "relu");
  l.layer("Concatenate", "cat", {{"axis", -1}}, {"c1", "in"});
  l.conv2d("c2", "cat", 1, 1, 6, 4, std::vector<float>(24, -0.2f), {}, "valid");
  l.layer("MultiplyBeta", "beta", {{"beta", 0.2}}, {"c2"});
  l.layer("Add", "sum", J::object(), {"c1", "beta"});
  l.layer("Activation", "act", {{"activation", "tanh"}}, {"sum"});
  l.layer("LeakyReLU", "leaky", {{"alpha", 0.3}}, {"act"});
  l.layer("PixelShuffle2x", "shuffle", {{"scale", 2}}, {"leaky"});
  l.layer("UpSampling2D", "up", {{"size", {2, 2}}, {"interpolation", "nearest"}}, {"shuffle"});
  l.outputs({"up"});
  const fs::path dir = scratch / "tfjs_layers";
  l.write(dir);
  Bytes both = slurp(dir / "model.json");
  const Bytes shard = slurp(dir / "group1-shard1of1.bin");
  both.insert(both.end(), toonbox::fuzz::kFileSeparator.begin(), toonbox::fuzz::kFileSeparator.end());
  both.insert(both.end(), shard.begin(), shard.end());
  seed("tfjs", "layers_model", both);
}

// ncnn: text params with their .bin (fp32, fp16, int8 and table storage; convolution,
// activations, pooling, inner product, split/binary ops, pixel shuffle, interp), a
// param alone and one claiming a huge weight array.
void ncnn_models() {
  using toonbox::test::NcnnBytes;
  auto both = [](const std::string& param, const std::string& bin) {
    Bytes b(param.begin(), param.end());
    b.insert(b.end(), toonbox::fuzz::kFileSeparator.begin(), toonbox::fuzz::kFileSeparator.end());
    b.insert(b.end(), bin.begin(), bin.end());
    return b;
  };
  const std::vector<float> w(3 * 4 * 9, 0.1f), bias(4, 0.05f);
  const std::string conv =
      "7767517\n4 4\nInput in 0 1 data 0=8 1=8 2=3\nConvolution c 1 1 data a 0=4 1=3 4=1 5=1 6=108\n"
      "ReLU r 1 1 a b 0=0.1\nPixelShuffle ps 1 1 b out 0=2\n";
  seed("ncnn", "conv_f32", both(conv, NcnnBytes().tagged_f32(w).raw(bias).str()));
  seed("ncnn", "conv_f16", both(conv, NcnnBytes().tagged_f16(w).raw(bias).str()));
  seed("ncnn", "conv_i8", both(conv, NcnnBytes().tagged_i8(std::vector<int8_t>(108, 3)).raw(bias).str()));
  seed("ncnn", "conv_table",
       both(conv, NcnnBytes().tagged_table({0.f, 0.1f, 0.2f}, std::vector<uint8_t>(108, 1)).raw(bias).str()));
  const std::string se =
      "7767517\n6 7\nInput in 0 1 data 2=4\nSplit sp 1 2 data a b\nPooling gap 1 1 b g 0=1 4=1\n"
      "InnerProduct fc1 1 1 g h 0=2 1=1 2=8 9=1\nInnerProduct fc2 1 1 h s 0=4 1=1 2=8 9=4\n"
      "BinaryOp mul 2 1 a s out 0=2\n";
  seed("ncnn", "se_block",
       both(se, NcnnBytes().tagged_f32(std::vector<float>(8, 0.2f)).raw({0.f, 0.1f}).tagged_f32(std::vector<float>(8, -0.1f))
                    .raw({0.f, 0.f, 0.1f, 0.1f}).str()));
  seed("ncnn", "interp_eltwise_no_bin",
       both("7767517\n4 5\nInput in 0 1 data\nSplit s 1 2 data a b\nInterp up 1 1 a u 0=2 1=2.0 2=2.0\n"
            "Eltwise e 2 1 u b out 0=1 -23301=2,2.0,-0.5\n",
            ""));
  const std::string param_only = "7767517\n2 2\nInput in 0 1 data\nSigmoid s 1 1 data out\n";
  seed("ncnn", "param_only", Bytes(param_only.begin(), param_only.end()));
  seed("ncnn", "claims_huge_weights",
       both("7767517\n2 2\nInput in 0 1 data 2=3\nConvolution c 1 1 data out 0=65536 1=3 6=1769472\n",
            NcnnBytes().u32(0).str()));
}

void onnx_models(const fs::path& scratch) {
  using toonbox::Tensor;
  using toonbox::test::OnnxWriter;
  {
    OnnxWriter w;
    w.input("x", {-1, 3});
    w.init("w", Tensor::from_vector<float>({3}, {1.f, 2.f, 3.f}));
    w.node("Add", {"x", "w"}, {"out"});
    w.output("out");
    w.save((scratch / "add.onnx").string());
    seed("onnx", "add.onnx", slurp(scratch / "add.onnx"));
  }
  {
    OnnxWriter w(17);
    w.input("img", {1, 3, -1, -1});
    w.init("k", Tensor::from_vector<float>({2, 3, 3, 3}, std::vector<float>(54, 0.1f)));
    auto& conv = w.node("Conv", {"img", "k"}, {"c"});
    toonbox::test::attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
    w.node("Relu", {"c"}, {"r"});
    w.node("Tanh", {"r"}, {"out"});
    w.output("out");
    w.save((scratch / "conv.onnx").string());
    seed("onnx", "conv_relu_tanh.onnx", slurp(scratch / "conv.onnx"));
  }
}

void server_inputs() {
  const std::string boundary = "----toonboxseed";
  seed("multipart", "one_image", "multipart/form-data; boundary=" + boundary + "\n--" + boundary +
                                     "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
                                     "Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\r\n--" + boundary + "--\r\n");
  seed("multipart", "fields_quoted", "multipart/form-data; boundary=\"b b\"\npreamble\r\n--b b\r\n"
                                     "Content-Disposition: form-data; name=\"strength\"\r\n\r\n0.5\r\n--b b\r\n"
                                     "Content-Disposition: form-data; name=\"images\"; filename=\"x\\\"y.jpg\"\r\n\r\n"
                                     "\xff\xd8\xff\r\n--b b--\r\nepilogue");
  seed("multipart", "no_headers", "multipart/form-data; boundary=z\n--z\r\n\r\nbody\r\n--z--");
  for (const char* q : {"strength=0.5&format=jpeg&quality=80", "model=whitebox-uint8&mode=portrait&long_side=1024",
                        "a=%41%42&b=+c+&d", "precision=fp16&model=..%2Fx", "long_side=99999999999999&strength=nan"})
    seed("query", std::string("q") + std::to_string(std::hash<std::string>{}(q) % 100000), q);
  seed("http_head", "post", "POST /api/v1/cartoonize?format=png HTTP/1.1\r\nHost: 127.0.0.1:7860\r\n"
                            "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 1234\r\n"
                            "Expect: 100-continue\r\nConnection: keep-alive\r\n\r\n");
  seed("http_head", "get", "GET /health/live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  seed("http_head", "smuggle_cl_te", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n");
  seed("http_head", "obs_fold", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  g_out = argv[1];
  const fs::path scratch = g_out / ".scratch";
  fs::create_directories(scratch);
  images();
  tfjs(scratch);
  onnx_models(scratch);
  ncnn_models();
  server_inputs();
  fs::remove_all(scratch);
  std::printf("seed corpus written to %s\n", g_out.c_str());
  return 0;
}
