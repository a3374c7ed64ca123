// The ncnn layers as toonbox translates them, run through the reference kernels, against
// this test's own reading of each layer's forward() in ncnn (src/layer/<type>.cpp):
// loops over CHW written from ncnn's code, not from the IR. Tolerance 1e-4 absolute
// (float weights, double accumulation on both sides).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "unit/ncnn_test_util.h"
#include "unit/test_util.h"

using namespace toonbox::compile;
using namespace toonbox::ops;

namespace toonbox {
namespace {

using test::NcnnBytes;

// A CHW image (one ncnn blob) for the expected values.
struct Chw {
  int c = 0, h = 0, w = 0;
  std::vector<double> v;
  Chw(int c_, int h_, int w_, double fill = 0)
      : c(c_), h(h_), w(w_), v(size_t(c_) * h_ * w_, fill) {}
  double& at(int k, int y, int x) { return v[(size_t(k) * h + y) * w + x]; }
  double at(int k, int y, int x) const { return v[(size_t(k) * h + y) * w + x]; }
};

Chw from_tensor(const Tensor& t) {
  Chw m(int(t.dim(1)), int(t.dim(2)), int(t.dim(3)));
  for (size_t i = 0; i < m.v.size(); ++i) m.v[i] = t.data<float>()[i];
  return m;
}

void expect_near(const Tensor& got, const Chw& want, const std::string& what, double tol = 1e-4) {
  ASSERT_EQ(got.shape(), (Shape{1, want.c, want.h, want.w})) << what;
  double worst = 0;
  for (size_t i = 0; i < want.v.size(); ++i)
    worst = std::max(worst, std::abs(got.data<float>()[i] - want.v[i]));
  EXPECT_LE(worst, tol) << what;
}

Tensor run1(const std::string& param, const std::string& bin, const Tensor& x) {
  auto y = test::run_ncnn(param, bin, x);
  EXPECT_TRUE(y.is_ok()) << y.status().to_string();
  if (!y.is_ok() || y->empty()) return Tensor(DType::kFloat32, {0});
  return (*y)[0];
}

std::vector<float> values(int n, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  const Tensor t = test::random_tensor({n}, seed, lo, hi);
  return std::vector<float>(t.data<float>(), t.data<float>() + n);
}

std::string header(int layers, int blobs) {
  return "7767517\n" + std::to_string(layers) + " " + std::to_string(blobs) +
         "\nInput in 0 1 data\n";
}

// ncnn's activation_ss (fused_activation.h).
double activate(double v, int type, const std::vector<float>& p) {
  switch (type) {
    case 1:
      return std::max(v, 0.0);
    case 2:
      return v > 0 ? v : v * p[0];
    case 3:
      return std::clamp(v, double(p[0]), double(p[1]));
    case 4:
      return 1 / (1 + std::exp(-v));
    case 5:
      return v * std::tanh(std::log(std::exp(v) + 1));
    case 6: {
      const double lower = -p[1] / p[0], upper = 1 / p[0] + lower;
      return v < lower ? 0 : v > upper ? v : v * (v * p[0] + p[1]);
    }
    default:
      return v;
  }
}

// convolution.cpp: make_padding with pad_value, then weights [out][in][kh][kw].
Chw ncnn_conv(const Chw& in, int out_c, int k, int stride, int pad, float pad_value,
              const std::vector<float>& w, const std::vector<float>& bias, int act,
              const std::vector<float>& act_p) {
  Chw p(in.c, in.h + 2 * pad, in.w + 2 * pad, pad_value);
  for (int c = 0; c < in.c; ++c)
    for (int y = 0; y < in.h; ++y)
      for (int x = 0; x < in.w; ++x) p.at(c, y + pad, x + pad) = in.at(c, y, x);
  Chw out(out_c, (p.h - k) / stride + 1, (p.w - k) / stride + 1);
  for (int o = 0; o < out_c; ++o)
    for (int y = 0; y < out.h; ++y)
      for (int x = 0; x < out.w; ++x) {
        double s = bias[o];
        for (int c = 0; c < in.c; ++c)
          for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j)
              s += w[((size_t(o) * in.c + c) * k + i) * k + j] *
                   p.at(c, y * stride + i, x * stride + j);
        out.at(o, y, x) = activate(s, act, act_p);
      }
  return out;
}

TEST(NcnnLayers, ConvolutionPadValueStrideAndFusedActivations) {
  const Tensor x = test::random_tensor({1, 2, 5, 6}, 1);
  const std::vector<float> w = values(3 * 2 * 9, 2), b = values(3, 3);
  const std::string bin = NcnnBytes().tagged_f32(w).raw(b).str();
  struct Act {
    int type;
    std::vector<float> p;
  };
  for (const Act& a : {Act{0, {}}, Act{1, {}}, Act{2, {0.1f}}, Act{3, {-0.5f, 0.5f}}, Act{4, {}},
                       Act{5, {}}, Act{6, {0.2f, 0.5f}}}) {
    std::string act = " 9=" + std::to_string(a.type);
    if (!a.p.empty()) {
      act += " -23310=" + std::to_string(a.p.size());
      for (float v : a.p) act += "," + std::to_string(v);
    }
    const std::string param = header(2, 2) +
                              "Convolution conv 1 1 data out 0=3 1=3 3=2 4=1 5=1 6=54 18=0.75" +
                              act + "\n";
    expect_near(run1(param, bin, x),
                ncnn_conv(from_tensor(x), 3, 3, 2, 1, 0.75f, w, b, a.type, a.p),
                "activation " + std::to_string(a.type));
  }
}

// ncnn's SAME_UPPER (-233): the odd pad goes bottom/right.
TEST(NcnnLayers, ConvolutionSamePadding) {
  const Tensor x = test::random_tensor({1, 1, 4, 5}, 4);
  const std::vector<float> w = values(9, 5), b = {0.5f};
  const std::string param =
      header(2, 2) + "Convolution conv 1 1 data out 0=1 1=3 3=2 4=-233 5=1 6=9\n";
  const Tensor y = run1(param, NcnnBytes().tagged_f16(w).raw(b).str(), x);
  // wpad = 3 + (5-1)/2*2 - 5 = 2 (1 left, 1 right); hpad = 3 + (4-1)/2*2 - 4 = 1 (0 top, 1 bottom).
  Chw in = from_tensor(x), p(1, 5, 7);
  for (int yy = 0; yy < 4; ++yy)
    for (int xx = 0; xx < 5; ++xx) p.at(0, yy, xx + 1) = in.at(0, yy, xx);
  std::vector<float> wh(9);
  for (int i = 0; i < 9; ++i) wh[i] = round_to_half(w[i]);
  expect_near(y, ncnn_conv(p, 1, 3, 2, 0, 0.f, wh, b, 0, {}), "SAME");
}

// deconvolution.cpp: scatter with weights [out][in][kh][kw] into (w-1)*s + k + output_pad,
// then cut the pads.
TEST(NcnnLayers, DeconvolutionPadsAndOutputPadding) {
  const Tensor x = test::random_tensor({1, 2, 3, 4}, 6);
  const int oc = 3, k = 3, s = 2, pad = 1, opad = 1;
  const std::vector<float> w = values(oc * 2 * k * k, 7), b = values(oc, 8);
  const std::string param =
      header(2, 2) + "Deconvolution up 1 1 data out 0=3 1=3 3=2 4=1 18=1 5=1 6=54 9=1\n";
  const Chw in = from_tensor(x);
  Chw full(oc, (in.h - 1) * s + k + opad, (in.w - 1) * s + k + opad);
  for (int o = 0; o < oc; ++o) {
    for (int y = 0; y < full.h; ++y)
      for (int xx = 0; xx < full.w; ++xx) full.at(o, y, xx) = b[o];
    for (int y = 0; y < in.h; ++y)
      for (int xx = 0; xx < in.w; ++xx)
        for (int c = 0; c < in.c; ++c)
          for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j)
              full.at(o, y * s + i, xx * s + j) +=
                  in.at(c, y, xx) * w[((size_t(o) * in.c + c) * k + i) * k + j];
  }
  Chw want(oc, full.h - 2 * pad, full.w - 2 * pad);
  for (int o = 0; o < oc; ++o)
    for (int y = 0; y < want.h; ++y)
      for (int xx = 0; xx < want.w; ++xx)
        want.at(o, y, xx) = std::max(0.0, full.at(o, y + pad, xx + pad));
  expect_near(run1(param, NcnnBytes().tagged_f32(w).raw(b).str(), x), want, "deconvolution");
}

// innerproduct.cpp on a 3-D blob: the CHW values in order times [out][in], then the
// activation; a 1-D blob of num_output values.
TEST(NcnnLayers, InnerProductFlattensChwAndFusesItsActivation) {
  const Tensor x = test::random_tensor({1, 2, 2, 3}, 9);
  const std::vector<float> w = values(4 * 12, 10), b = values(4, 11);
  const std::string param = header(2, 2) + "InnerProduct fc 1 1 data out 0=4 1=1 2=48 9=4\n";
  Chw want(4, 1, 1);
  for (int o = 0; o < 4; ++o) {
    double s = b[o];
    for (int i = 0; i < 12; ++i) s += w[o * 12 + i] * x.data<float>()[i];
    want.at(o, 0, 0) = 1 / (1 + std::exp(-s));
  }
  expect_near(run1(param, NcnnBytes().tagged_f32(w).raw(b).str(), x), want, "inner product");
}

// Real-CUGAN's SE block: global average pooling (a 1-D blob of C), two inner products,
// and BinaryOp mul of the 3-D input by the 1-D blob, per channel.
TEST(NcnnLayers, SqueezeExciteBroadcastsOneDBlobsPerChannel) {
  const Tensor x = test::random_tensor({1, 4, 3, 5}, 12);
  const std::vector<float> w1 = values(2 * 4, 13), b1 = values(2, 14), w2 = values(4 * 2, 15),
                           b2 = values(4, 16);
  for (int pool : {0, 1}) {
    const std::string param =
        "7767517\n6 7\nInput in 0 1 data 2=4\nSplit sp 1 2 data a b\n"
        "Pooling gap 1 1 b g 0=" +
        std::to_string(pool) +
        " 4=1\n"
        "InnerProduct fc1 1 1 g h 0=2 1=1 2=8 9=1\n"
        "InnerProduct fc2 1 1 h s 0=4 1=1 2=8 9=4\n"
        "BinaryOp mul 2 1 a s out 0=2\n";
    const std::string bin = NcnnBytes().tagged_f16(w1).raw(b1).tagged_f16(w2).raw(b2).str();
    const Chw in = from_tensor(x);
    std::vector<double> g(4), h(2), s(4);
    for (int c = 0; c < 4; ++c) {
      double acc = pool ? 0 : -1e30;
      for (int i = 0; i < 15; ++i)
        acc = pool ? acc + in.v[c * 15 + i] : std::max(acc, in.v[c * 15 + i]);
      g[c] = pool ? acc / 15 : acc;
    }
    for (int o = 0; o < 2; ++o) {
      h[o] = b1[o];
      for (int c = 0; c < 4; ++c) h[o] += round_to_half(w1[o * 4 + c]) * g[c];
      h[o] = std::max(0.0, h[o]);
    }
    for (int o = 0; o < 4; ++o) {
      double a = b2[o];
      for (int c = 0; c < 2; ++c) a += round_to_half(w2[o * 2 + c]) * h[c];
      s[o] = 1 / (1 + std::exp(-a));
    }
    Chw want = in;
    for (int c = 0; c < 4; ++c)
      for (int i = 0; i < 15; ++i) want.v[c * 15 + i] *= s[c];
    expect_near(run1(param, bin, x), want, pool ? "average" : "max");
  }
}

// interp.cpp's linear_coeffs / cubic_coeffs: source index and taps of each output column.
std::vector<std::pair<int, std::vector<double>>> ncnn_taps(int in, int out, int type, bool align) {
  std::vector<std::pair<int, std::vector<double>>> taps;
  const double scale = align ? double(in - 1) / (out - 1) : double(in) / out;
  for (int d = 0; d < out; ++d) {
    float fx = align ? float(d * scale) : float((d + 0.5) * scale - 0.5);
    int sx = int(std::floor(fx));
    fx -= sx;
    if (type == 2) {
      if (sx < 0) sx = 0, fx = 0;
      if (sx >= in - 1) sx = in - 2, fx = 1;
      taps.push_back({sx, {1 - fx, fx}});
      continue;
    }
    const float A = -0.75f, f0 = fx + 1, f1 = fx, f2 = 1 - fx;
    std::vector<double> c(4);
    c[0] = A * f0 * f0 * f0 - 5 * A * f0 * f0 + 8 * A * f0 - 4 * A;
    c[1] = (A + 2) * f1 * f1 * f1 - (A + 3) * f1 * f1 + 1;
    c[2] = (A + 2) * f2 * f2 * f2 - (A + 3) * f2 * f2 + 1;
    c[3] = 1 - c[0] - c[1] - c[2];
    if (sx <= -1) sx = 1, c = {1 - c[3], c[3], 0, 0};
    if (sx == 0) sx = 1, c = {c[0] + c[1], c[2], c[3], 0};
    if (sx == in - 2) sx = in - 3, c = {0, c[0], c[1], c[2] + c[3]};
    if (sx >= in - 1) sx = in - 3, c = {0, 0, c[0], 1 - c[0]};
    taps.push_back({sx - 1, c});  // taps at sx-1 .. sx+2
  }
  return taps;
}

Chw ncnn_interp(const Chw& in, int out_h, int out_w, int type, bool align, float hs, float ws,
                bool fixed) {
  Chw out(in.c, out_h, out_w);
  if (type == 1) {
    const float fh = fixed ? in.h / float(out_h) : 1.f / hs,
                fw = fixed ? in.w / float(out_w) : 1.f / ws;
    for (int c = 0; c < in.c; ++c)
      for (int y = 0; y < out_h; ++y)
        for (int x = 0; x < out_w; ++x)
          out.at(c, y, x) =
              in.at(c, std::min(int(y * fh), in.h - 1), std::min(int(x * fw), in.w - 1));
    return out;
  }
  const auto ty = ncnn_taps(in.h, out_h, type, align), tx = ncnn_taps(in.w, out_w, type, align);
  for (int c = 0; c < in.c; ++c)
    for (int y = 0; y < out_h; ++y)
      for (int x = 0; x < out_w; ++x) {
        double s = 0;
        for (size_t i = 0; i < ty[y].second.size(); ++i)
          for (size_t j = 0; j < tx[x].second.size(); ++j)
            s += ty[y].second[i] * tx[x].second[j] *
                 in.at(c, ty[y].first + int(i), tx[x].first + int(j));
        out.at(c, y, x) = s;
      }
  return out;
}

TEST(NcnnLayers, InterpFollowsNcnnSizesAndCoordinates) {
  const Tensor x = test::random_tensor({1, 2, 6, 8}, 17);
  struct Case {
    const char* what;
    std::string params;
    int type;
    bool align;
    float hs, ws;
    int out_h, out_w;  // fixed when both > 0 in the params
    bool fixed;
  };
  const Case cases[] = {
      {"nearest x2", "0=1 1=2.0 2=2.0", 1, false, 2, 2, 12, 16, false},
      {"nearest x1.5", "0=1 1=1.5 2=1.5", 1, false, 1.5f, 1.5f, 9, 12, false},
      {"bilinear x2", "0=2 1=2.0 2=2.0", 2, false, 2, 2, 12, 16, false},
      {"bilinear fixed, align corners", "0=2 3=5 4=7 6=1", 2, true, 0, 0, 5, 7, true},
      {"bicubic x0.5", "0=3 1=0.5 2=0.5", 3, false, 0.5f, 0.5f, 3, 4, false},
      {"bicubic x0.75", "0=3 1=7.500000e-01 2=7.500000e-01", 3, false, 0.75f, 0.75f, 4, 6, false},
      {"bicubic x2", "0=3 1=2.0 2=2.0", 3, false, 2, 2, 12, 16, false},
      {"nearest fixed", "0=1 3=4 4=11", 1, false, 0, 0, 4, 11, true},
  };
  for (const Case& c : cases) {
    const std::string param = header(2, 2) + "Interp rs 1 1 data out " + c.params + "\n";
    expect_near(run1(param, "", x),
                ncnn_interp(from_tensor(x), c.out_h, c.out_w, c.type, c.align, c.hs, c.ws, c.fixed),
                c.what);
  }
}

TEST(NcnnLayers, CropReadsNcnnStartsEndsAndAxes) {
  const Tensor x = test::random_tensor({1, 4, 5, 6}, 18);
  const Chw in = from_tensor(x);
  auto crop = [&](int c0, int c1, int y0, int y1, int x0, int x1) {
    Chw out(c1 - c0, y1 - y0, x1 - x0);
    for (int c = c0; c < c1; ++c)
      for (int y = y0; y < y1; ++y)
        for (int xx = x0; xx < x1; ++xx) out.at(c - c0, y - y0, xx - x0) = in.at(c, y, xx);
    return out;
  };
  // Real-CUGAN's form: -4 from each side of H and W (axes -2, -1).
  expect_near(
      run1(header(2, 2) + "Crop c 1 1 data out -23309=2,1,1 -23310=2,-1,-2 -23311=2,-2,-1\n", "",
           x),
      crop(0, 4, 1, 4, 1, 4), "negative ends");
  // -233 is the whole axis; an end of 0 is the end too (ncnn: end > 0 ? end : w + end).
  expect_near(
      run1(header(2, 2) + "Crop c 1 1 data out -23309=2,-233,2 -23310=2,3,0 -23311=2,1,2\n", "", x),
      crop(0, 4, 0, 3, 2, 6), "-233 and 0");
  // Axis 0 is the channels; no axes means one start/end per dim.
  expect_near(
      run1(header(2, 2) + "Crop c 1 1 data out -23309=3,1,0,-3 -23310=3,3,-233,99\n", "", x),
      crop(1, 3, 0, 5, 3, 6), "all dims");
}

TEST(NcnnLayers, PaddingConstantReplicateAndReflect) {
  const Tensor x = test::random_tensor({1, 2, 3, 4}, 19);
  const Chw in = from_tensor(x);
  auto pad = [&](int type, int t, int b, int l, int r, int front, int behind, double value) {
    Chw out(in.c + front + behind, in.h + t + b, in.w + l + r, value);
    auto src = [&](int i, int n) {
      if (type == 1) return std::clamp(i, 0, n - 1);
      return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    };
    for (int c = 0; c < in.c; ++c)
      for (int y = 0; y < out.h; ++y)
        for (int xx = 0; xx < out.w; ++xx) {
          const int sy = y - t, sx = xx - l;
          if (type == 0 && (sy < 0 || sy >= in.h || sx < 0 || sx >= in.w)) continue;
          out.at(c + front, y, xx) = in.at(c, src(sy, in.h), src(sx, in.w));
        }
    return out;
  };
  expect_near(run1(header(2, 2) + "Padding p 1 1 data out 0=1 1=2 2=0 3=3 5=1.5 7=1 8=2\n", "", x),
              pad(0, 1, 2, 0, 3, 1, 2, 1.5), "constant with channels");
  expect_near(run1(header(2, 2) + "Padding p 1 1 data out 0=2 1=1 2=3 3=1 4=1\n", "", x),
              pad(1, 2, 1, 3, 1, 0, 0, 0), "replicate");
  expect_near(run1(header(2, 2) + "Padding p 1 1 data out 0=2 1=2 2=3 3=3 4=2\n", "", x),
              pad(2, 2, 2, 3, 3, 0, 0, 0), "reflect");
}

TEST(NcnnLayers, BinaryOpAndEltwiseOperations) {
  const Tensor x = test::random_tensor({1, 2, 3, 4}, 20, 0.5f, 2.f);
  const Chw in = from_tensor(x);
  auto map = [&](const std::function<double(double)>& f) {
    Chw out = in;
    for (double& v : out.v) v = f(v);
    return out;
  };
  const std::pair<std::string, std::function<double(double)>> scalar_ops[] = {
      {"0=1 1=1 2=0.5", [](double v) { return v - 0.5; }},
      {"0=7 1=1 2=0.5", [](double v) { return 0.5 - v; }},
      {"0=8 1=1 2=3.0", [](double v) { return 3.0 / v; }},
      {"0=6 1=1 2=2.0", [](double v) { return v * v; }},
      {"0=9 1=1 2=2.0", [](double v) { return std::pow(2.0, v); }},
      {"0=4 1=1 2=1.0", [](double v) { return std::max(v, 1.0); }},
  };
  for (const auto& [params, f] : scalar_ops)
    expect_near(run1(header(2, 2) + "BinaryOp op 1 1 data out " + params + "\n", "", x), map(f),
                params);
  // Two inputs (the same blob through Split): sub, and Eltwise sum with coeffs, prod, max.
  const std::string split = "7767517\n3 4\nInput in 0 1 data\nSplit sp 1 2 data a b\n";
  expect_near(run1(split + "BinaryOp op 2 1 a b out 0=3\n", "", x), map([](double) { return 1.0; }),
              "div");
  expect_near(run1(split + "Eltwise e 2 1 a b out 0=1 -23301=2,2.0,-0.5\n", "", x),
              map([](double v) { return 1.5 * v; }), "sum with coeffs");
  expect_near(run1(split + "Eltwise e 2 1 a b out 0=0\n", "", x),
              map([](double v) { return v * v; }), "prod");
  expect_near(run1(split + "Eltwise e 2 1 a b out 0=2\n", "", x), map([](double v) { return v; }),
              "max");
}

TEST(NcnnLayers, PixelShuffleModes) {
  const int r = 2, oc = 3, h = 2, w = 3;
  const Tensor x = test::random_tensor({1, oc * r * r, h, w}, 21);
  const Chw in = from_tensor(x);
  for (int mode : {0, 1}) {
    Chw want(oc, h * r, w * r);
    for (int p = 0; p < oc; ++p)
      for (int sh = 0; sh < r; ++sh)
        for (int sw = 0; sw < r; ++sw) {
          const int q = mode == 0 ? p * r * r + sh * r + sw : (sh * r + sw) * oc + p;
          for (int i = 0; i < h; ++i)
            for (int j = 0; j < w; ++j) want.at(p, i * r + sh, j * r + sw) = in.at(q, i, j);
        }
    const std::string param =
        header(2, 2) + "PixelShuffle ps 1 1 data out 0=2 1=" + std::to_string(mode) + "\n";
    expect_near(run1(param, "", x), want, "mode " + std::to_string(mode), 0);
  }
}

TEST(NcnnLayers, PReLUReLUSigmoidAndInstanceNorm) {
  const Tensor x = test::random_tensor({1, 3, 4, 5}, 22);
  const Chw in = from_tensor(x);
  const std::vector<float> slopes = {0.1f, -0.5f, 2.f};
  Chw want = in;
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 20; ++i) {
      double& v = want.v[c * 20 + i];
      v = v < 0 ? v * slopes[c] : v;
    }
  expect_near(run1(header(2, 2) + "PReLU pr 1 1 data out 0=3\n", NcnnBytes().raw(slopes).str(), x),
              want, "prelu");
  Chw relu = in;
  for (double& v : relu.v) v = v < 0 ? v * 0.2 : v;
  expect_near(run1(header(2, 2) + "ReLU r 1 1 data out 0=0.2\n", "", x), relu, "leaky relu");
  Chw sig = in;
  for (double& v : sig.v) v = 1 / (1 + std::exp(-v));
  expect_near(run1(header(2, 2) + "Sigmoid s 1 1 data out\n", "", x), sig, "sigmoid");
  // instancenorm.cpp: mean, the mean of squared deviations, (x - mean) / sqrt(var + eps)
  // * gamma + beta.
  const std::vector<float> gamma = {1.f, 0.5f, -2.f}, beta = {0.f, 1.f, 0.25f};
  for (int affine : {0, 1}) {
    Chw norm = in;
    for (int c = 0; c < 3; ++c) {
      double mean = 0, var = 0;
      for (int i = 0; i < 20; ++i) mean += in.v[c * 20 + i] / 20;
      for (int i = 0; i < 20; ++i)
        var += (in.v[c * 20 + i] - mean) * (in.v[c * 20 + i] - mean) / 20;
      for (int i = 0; i < 20; ++i) {
        const double n = (in.v[c * 20 + i] - mean) / std::sqrt(var + 0.01);
        norm.v[c * 20 + i] = affine ? n * gamma[c] + beta[c] : n;
      }
    }
    const std::string param =
        header(2, 2) + "InstanceNorm n 1 1 data out 0=3 1=0.01 2=" + std::to_string(affine) + "\n";
    expect_near(run1(param, affine ? NcnnBytes().raw(gamma).raw(beta).str() : "", x), norm,
                "instance norm, affine " + std::to_string(affine));
  }
}

// Unsupported layers are reported together, by type, name and line, before the weights
// are read (the .bin here is empty).
TEST(NcnnLayers, UnknownLayersAreNamedWithTheirLines) {
  test::NcnnFiles files(
      "7767517\n5 5\nInput in 0 1 data\nMish m 1 1 data a\nSwish s1 1 1 a b\nReLU r 1 1 b c\n"
      "Swish s2 1 1 c d\n",
      "");
  auto g = files.import();
  ASSERT_FALSE(g.is_ok());
  EXPECT_EQ(g.status().code(), StatusCode::kUnimplemented);
  const std::string& msg = g.status().message();
  EXPECT_NE(msg.find("model.param: unsupported ncnn layers: Mish (layer 'm' line 4), Swish (layers "
                     "'s1' line 5, 's2' line 7) (supported: "),
            std::string::npos)
      << msg;
}

TEST(NcnnLayers, UnsupportedFeaturesSayWhatAndWhere) {
  const std::string h = header(2, 2);
  const std::pair<std::string, const char*> cases[] = {
      {h + "Pooling p 1 1 data out 0=0 1=2 2=2\n",
       "model.param: layer 'p' (Pooling, line 4): only global pooling (4=1) is supported"},
      {h + "Convolution c 1 1 data out 0=1 1=1 6=1 8=1\n",
       "layer 'c' (Convolution, line 4): int8-quantized layers (8=int8_scale_term) are not "
       "supported"},
      {h + "Interp i 1 1 data out 0=2 5=1\n", "a target size from another input (5)"},
      {h + "Interp i 1 1 data out 0=0\n",
       "parameter 0 (resize_type: 1 nearest, 2 bilinear, 3 bicubic): got 0"},
      {h + "Deconvolution d 1 1 data out 0=1 1=2 6=4 20=8 21=8\n",
       "a fixed output size (20=output_w"},
      {h + "Crop c 1 1 data out 0=1 3=2\n", "the offset form of Crop"},
      {h + "Convolution c 1 1 data out 0=1 1=1 6=1 9=7\n",
       "fused activation_type (9) 7 is not supported"},
      {h + "Convolution c 1 1 data out 0=1 1=1 6=1 4=1 15=-233\n", "expected all >= 0, all -233"},
      {h + "Padding p 1 1 data out 0=1 6=3\n",
       "per-channel pad values (6=per_channel_pad_data_size)"},
      {"7767517\n4 5\nInput in 0 1 data\nSplit s 1 2 data a b\nPooling p 1 1 a g 0=1 4=1\n"
       "BinaryOp m 2 1 b g out 0=2\n",
       "only per-channel broadcasting (length = channels, known at import)"},
  };
  for (const auto& [param, message] : cases) {
    test::NcnnFiles files(param, "");
    auto g = files.import();
    ASSERT_FALSE(g.is_ok()) << message;
    EXPECT_NE(g.status().message().find(message), std::string::npos)
        << message << ": got \"" << g.status().message() << "\"";
  }
}

}  // namespace
}  // namespace toonbox

namespace toonbox {
namespace {

// ncnn graphs are per image with N = 1; bound to a batch, each image's result equals its
// single run (the SE means, PixelShuffle's reshapes, Interp's sizes and InnerProduct's
// flattening all stay per image).
TEST(NcnnLayers, ImportedGraphsBatch) {
  const std::string param =
      "7767517\n9 10\nInput in 0 1 data 2=2\nConvolution c 1 1 data x 0=8 1=3 4=1 5=1 6=144\n"
      "Split sp 1 2 x a b\nPooling gap 1 1 b g 0=1 4=1\nInnerProduct fc 1 1 g s 0=8 1=1 2=64 9=4\n"
      "BinaryOp mul 2 1 a s y 0=2\nPixelShuffle ps 1 1 y z 0=2\nInterp up 1 1 z u 0=3 1=0.5 2=0.5\n"
      "InnerProduct flat 1 1 u out 0=3 1=1 2=90\n";
  const std::string bin = NcnnBytes()
                              .tagged_f32(values(144, 30))
                              .raw(values(8, 31))
                              .tagged_f32(values(64, 32))
                              .raw(values(8, 33))
                              .tagged_f32(values(90, 34))
                              .raw(values(3, 35))
                              .str();
  test::NcnnFiles files(param, bin);
  auto g = files.import();
  ASSERT_TRUE(g.is_ok()) << g.status().to_string();
  const Tensor batch = test::random_tensor({2, 2, 5, 3}, 36);
  SpecializeOptions opt;
  opt.allow_batch = true;
  auto sb = specialize(*g, {batch.shape()}, opt);
  ASSERT_TRUE(sb.is_ok()) << sb.status().to_string();
  auto yb = reference_run(*sb, {batch});
  ASSERT_TRUE(yb.is_ok()) << yb.status().to_string();
  ASSERT_EQ((*yb)[0].shape(), (Shape{2, 3, 1, 1}));
  for (int n = 0; n < 2; ++n) {
    Tensor one(DType::kFloat32, {1, 2, 5, 3});
    std::copy_n(batch.data<float>() + n * 30, 30, one.data<float>());
    auto s1 = specialize(*g, {one.shape()});
    ASSERT_TRUE(s1.is_ok()) << s1.status().to_string();
    auto y1 = reference_run(*s1, {one});
    ASSERT_TRUE(y1.is_ok()) << y1.status().to_string();
    for (int k = 0; k < 3; ++k)
      EXPECT_NEAR((*yb)[0].data<float>()[n * 3 + k], (*y1)[0].data<float>()[k], 1e-6)
          << n << " " << k;
  }
}

}  // namespace
}  // namespace toonbox
