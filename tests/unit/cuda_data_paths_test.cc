// The fast paths of the CUDA data-movement, broadcast and reduction kernels (issue 15's
// 1080p profile): a gather whose rows are contiguous runs (crops, row slices, pads of
// whole rows) copied a row at a time; a broadcast whose innermost dim runs or repeats
// (per-channel PRelu / Mul of NCHW, per-channel Add of NHWC) read a pack at a time; a
// reduction over contiguous runs (global average pool of NCHW) without a member table; the
// same two on channels-last data (compile/nhwc_layout.h): a crop of NHWC copied as rows of
// W*C elements, and the global pool of NHWC by chunked partial sums.
//
// Each case runs against the reference (cuda_test_util.h's tolerances), and again with the
// fast path switched off (TOONBOX_CUDA_GATHER_ROWS / _BROADCAST_ROWS / _REDUCE_RUNS = 0):
// copies and element-wise results must be bit for bit those of the element kernels. The
// shapes are chosen so the paths are taken (rows of >= 32 elements, inner dims of whole
// packs, >= 256 members) with both aligned and misaligned starts; the gather and reduce
// cases also check the step description says the fast path was chosen.
#include <cstring>

#include "cuda_test_util.h"

using namespace toonbox::graph;

namespace toonbox::cuda_test {
namespace {

int int_constant(Graph& g, const std::string& name, std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return g.add_constant(name, Tensor::from_vector<int64_t>({n}, std::move(v)));
}

// Runs `g` on the GPU with and without the fast path (`env` = 0) and expects the same
// bytes; returns the step profile of the fast-path run (its descriptions).
std::string expect_same_without(const Graph& g, const std::vector<Tensor>& inputs, Precision p,
                                const char* env, const std::string& what) {
  auto spec = compile::specialize(g, input_shapes(g));
  EXPECT_TRUE(spec.is_ok()) << spec.status().to_string();
  if (!spec.is_ok()) return "";
  backend::Backend& backend = *cuda_env().backend;
  std::vector<Tensor> fast, plain;
  testing::internal::CaptureStderr();
  {
    ScopedEnv profile("TOONBOX_CUDA_PROFILE_STEPS", "1");
    auto exe = backend.compile(spec.value(), backend::CompileOptions{p});
    EXPECT_TRUE(exe.is_ok()) << exe.status().to_string();
    if (exe.is_ok()) EXPECT_TRUE(exe.value()->run(inputs, &fast, nullptr).is_ok());
  }
  const std::string log = testing::internal::GetCapturedStderr();
  {
    ScopedEnv off(env, "0");
    auto exe = backend.compile(spec.value(), backend::CompileOptions{p});
    EXPECT_TRUE(exe.is_ok()) << exe.status().to_string();
    if (exe.is_ok()) EXPECT_TRUE(exe.value()->run(inputs, &plain, nullptr).is_ok());
  }
  EXPECT_EQ(fast.size(), plain.size()) << what;
  for (size_t i = 0; i < fast.size() && i < plain.size(); ++i) {
    EXPECT_EQ(fast[i].nbytes(), plain[i].nbytes()) << what;
    if (fast[i].nbytes() == plain[i].nbytes())
      EXPECT_EQ(std::memcmp(fast[i].raw(), plain[i].raw(), fast[i].nbytes()), 0)
          << what << " (" << precision_tag(p) << "): differs from the element kernel with " << env << "=0";
  }
  return log;
}

const Precision kPrecisions[] = {Precision::kFloat32, Precision::kFloat16};

// A crop of H and W (Real-CUGAN's Crop layers): start column 3 (odd: copies one element at
// a time) and 4 (whole packs), a row slice keeping whole rows, and a step-2 slice, which
// is not a contiguous run and keeps the element kernel.
TEST(CudaDataPaths, SlicesAsRowCopies) {
  TB_REQUIRE_CUDA();
  struct Case {
    const char* name;
    std::vector<int64_t> starts, ends, axes, steps;
    bool rows;
  };
  const Case cases[] = {{"crop_odd", {2, 3}, {38, 67}, {2, 3}, {1, 1}, true},
                        {"crop_even", {2, 4}, {38, 68}, {2, 3}, {1, 1}, true},
                        {"rows", {5}, {30}, {2}, {1}, true},
                        {"step2", {0}, {70}, {3}, {2}, false}};
  const Shape shape{2, 8, 40, 72};
  for (const Case& c : cases) {
    for (Precision p : kPrecisions) {
      Graph g;
      const int x = g.add_input("x", DType::kFloat32, shape);
      g.add_output(g.add_node(OpKind::kSlice, c.name,
                              {x, int_constant(g, "starts", c.starts), int_constant(g, "ends", c.ends),
                               int_constant(g, "axes", c.axes), int_constant(g, "steps", c.steps)},
                              SliceParams{}));
      const Tensor in = random_tensor(shape, 11, -2.f, 2.f, is_fp16(p));
      ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {in}, p, c.name));
      const std::string log = expect_same_without(g, {in}, p, "TOONBOX_CUDA_GATHER_ROWS", c.name);
      EXPECT_EQ(log.find("row copies") != std::string::npos, c.rows) << c.name << "\n" << log;
    }
  }
}

// A crop of H and W of channels-last data keeps whole pixels: its channels and the kept
// columns of a row are one run, copied as rows of (W - crop) * C elements, not rows of C.
TEST(CudaDataPaths, ChannelsLastCropsCopyWholeRows) {
  TB_REQUIRE_CUDA();
  const Shape shape{2, 40, 72, 16};
  for (Precision p : kPrecisions) {
    Graph g;
    const int x = g.add_input("x", DType::kFloat32, shape);
    g.add_output(g.add_node(OpKind::kSlice, "crop_nhwc",
                            {x, int_constant(g, "starts", {2, 3}), int_constant(g, "ends", {38, 67}),
                             int_constant(g, "axes", {1, 2}), int_constant(g, "steps", {1, 1})},
                            SliceParams{}));
    const Tensor in = random_tensor(shape, 16, -2.f, 2.f, is_fp16(p));
    ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {in}, p, "crop nhwc"));
    const std::string log = expect_same_without(g, {in}, p, "TOONBOX_CUDA_GATHER_ROWS", "crop nhwc");
    EXPECT_NE(log.find(" of 1024"), std::string::npos) << log;  // rows of 64 columns x 16 channels
  }
}

// A constant pad of H only: whole output rows are fill, the others contiguous runs.
TEST(CudaDataPaths, PadOfWholeRowsAsRowCopies) {
  TB_REQUIRE_CUDA();
  const Shape shape{1, 6, 20, 48};
  for (Precision p : kPrecisions) {
    Graph g;
    const int x = g.add_input("x", DType::kFloat32, shape);
    const int pads = int_constant(g, "pads", {0, 0, 3, 0, 0, 0, 5, 0});
    g.add_output(g.add_node(OpKind::kPad, "pad_rows", {x, pads}, PadParams{PadKind::kConstant, 0.f}));
    const Tensor in = random_tensor(shape, 12, -2.f, 2.f, is_fp16(p));
    ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {in}, p, "pad rows"));
    const std::string log = expect_same_without(g, {in}, p, "TOONBOX_CUDA_GATHER_ROWS", "pad rows");
    EXPECT_NE(log.find("row copies"), std::string::npos) << log;
  }
}

// Per-channel broadcasts: PRelu of NCHW (slope [1,C,1,1]), Mul of NCHW by a [N,C,1,1]
// input (an SE block's scale), Add of NHWC by a [C] bias, and a shape whose inner dim is
// not whole packs (element kernel).
TEST(CudaDataPaths, PerChannelBroadcastsReadPacks) {
  TB_REQUIRE_CUDA();
  struct Case {
    const char* name;
    OpKind kind;
    BinaryOp op;
    Shape a, b;
  };
  const Case cases[] = {{"prelu_nchw", OpKind::kPRelu, BinaryOp::kAdd, {2, 16, 24, 40}, {1, 16, 1, 1}},
                        {"mul_se_nchw", OpKind::kBinary, BinaryOp::kMul, {2, 16, 24, 40}, {2, 16, 1, 1}},
                        {"add_bias_nhwc", OpKind::kBinary, BinaryOp::kAdd, {2, 24, 40, 16}, {16}},
                        {"prelu_odd_inner", OpKind::kPRelu, BinaryOp::kAdd, {1, 8, 7, 9}, {1, 8, 1, 1}}};
  for (const Case& c : cases) {
    for (Precision p : kPrecisions) {
      Graph g;
      // PRelu's slope is a weight (a constant), a Binary's second input a tensor of the run.
      const bool prelu = c.kind == OpKind::kPRelu;
      const Tensor b_value = random_tensor(c.b, 14, -1.f, 1.f, is_fp16(p));
      const int a = g.add_input("a", DType::kFloat32, c.a);
      const int b = prelu ? g.add_constant("slope", b_value) : g.add_input("b", DType::kFloat32, c.b);
      const OpParams params = prelu ? OpParams{NoParams{}} : OpParams{BinaryParams{c.op}};
      g.add_output(g.add_node(c.kind, c.name, {a, b}, params));
      std::vector<Tensor> in = {random_tensor(c.a, 13, -2.f, 2.f, is_fp16(p))};
      if (!prelu) in.push_back(b_value);
      ASSERT_NO_FATAL_FAILURE(check_against_reference(g, in, p, c.name));
      expect_same_without(g, in, p, "TOONBOX_CUDA_BROADCAST_ROWS", c.name);
    }
  }
}

// Mean and max over H and W of NCHW (a global pool): 49 x 71 members per output, so the
// runs start misaligned for every other channel; and a reduction over C, which is not
// contiguous and keeps the table kernel.
TEST(CudaDataPaths, ReductionsOverContiguousRuns) {
  TB_REQUIRE_CUDA();
  struct Case {
    const char* name;
    ReduceOp op;
    std::vector<int64_t> axes;
    bool runs;
  };
  const Case cases[] = {{"mean_hw", ReduceOp::kMean, {2, 3}, true},
                        {"max_hw", ReduceOp::kMax, {2, 3}, true},
                        {"sum_c", ReduceOp::kSum, {1}, false}};
  const Shape shape{2, 12, 49, 71};
  for (const Case& c : cases) {
    for (Precision p : kPrecisions) {
      Graph g;
      const int x = g.add_input("x", DType::kFloat32, shape);
      ReduceParams r;
      r.op = c.op;
      r.axes = c.axes;
      r.keepdims = true;
      g.add_output(g.add_node(OpKind::kReduce, c.name, {x}, r));
      const Tensor in = random_tensor(shape, 15, -1.f, 3.f, is_fp16(p));
      ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {in}, p, c.name));
      // Summation order differs from the table kernel's: compared with the reference only.
      auto spec = compile::specialize(g, input_shapes(g));
      ASSERT_TRUE(spec.is_ok());
      testing::internal::CaptureStderr();
      {
        ScopedEnv profile("TOONBOX_CUDA_PROFILE_STEPS", "1");
        auto exe = cuda_env().backend->compile(spec.value(), backend::CompileOptions{p});
        ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
        std::vector<Tensor> out;
        ASSERT_TRUE(exe.value()->run({in}, &out, nullptr).is_ok());
      }
      const std::string log = testing::internal::GetCapturedStderr();
      EXPECT_EQ(log.find("contiguous runs") != std::string::npos, c.runs) << c.name << "\n" << log;
    }
  }
}

// Mean, max and sum over H and W of NHWC (the SE blocks' global pool once Real-CUGAN runs
// channels last): 40 channels (a partial group of 32), 2 images, 61 x 83 pixels.
TEST(CudaDataPaths, ChannelsLastGlobalPoolsByChunks) {
  TB_REQUIRE_CUDA();
  const Shape shape{2, 61, 83, 40};
  for (ReduceOp op : {ReduceOp::kMean, ReduceOp::kMax, ReduceOp::kSum}) {
    for (Precision p : kPrecisions) {
      Graph g;
      const int x = g.add_input("x", DType::kFloat32, shape);
      ReduceParams r;
      r.op = op;
      r.axes = {1, 2};
      r.keepdims = true;
      g.add_output(g.add_node(OpKind::kReduce, "pool_nhwc", {x}, r));
      const Tensor in = random_tensor(shape, 17, -1.f, 3.f, is_fp16(p));
      ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {in}, p, "pool nhwc"));
      auto spec = compile::specialize(g, input_shapes(g));
      ASSERT_TRUE(spec.is_ok());
      testing::internal::CaptureStderr();
      {
        ScopedEnv profile("TOONBOX_CUDA_PROFILE_STEPS", "1");
        auto exe = cuda_env().backend->compile(spec.value(), backend::CompileOptions{p});
        ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
        std::vector<Tensor> out;
        ASSERT_TRUE(exe.value()->run({in}, &out, nullptr).is_ok());
      }
      const std::string log = testing::internal::GetCapturedStderr();
      EXPECT_NE(log.find("channels-last pixels"), std::string::npos) << log;
    }
  }
}

}  // namespace
}  // namespace toonbox::cuda_test
