// `bench` as a library on this machine: the `run` task on a generated ONNX model whose
// input size is fixed (the other size is explained, not fatal), an unknown model, and a
// task whose batched output is wrong, which the agreement check must catch.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <new>

#include "bench/bench_run.h"
#include "bench/report_json.h"
#include "bench/report_markdown.h"
#include "core/tensor.h"
#include "unit/onnx_test_util.h"

using namespace toonbox::image;
using namespace toonbox::engine;

namespace toonbox::bench {
namespace {

void quiet(const std::string&, bool) {}

BenchOptions cpu_options(const std::string& task, std::vector<std::string> models,
                         std::vector<int> sizes) {
  BenchOptions o;
  o.task = task;
  o.models = std::move(models);
  o.sizes = std::move(sizes);
  o.devices = {"cpu"};
  o.runs = 2;
  o.cold_start = false;  // needs the toonbox binary: tests/cli/bench_test.sh covers it
  o.pipeline_images = 2;
  std::vector<std::string> notes;
  EXPECT_TRUE(apply_defaults(&o, /*gpu_usable=*/false, {}, &notes).is_ok());
  return o;
}

const ConfigResult& row(const BenchRun& run, const std::string& key) {
  for (const ConfigResult& r : run.results)
    if (r.config.key() == key) return r;
  ADD_FAILURE() << "no row " << key;
  static const ConfigResult none;
  return none;
}

// A 1x1 convolution and a sigmoid on a fixed [1,3,32,32] input: `run` detects NCHW from
// the 3 in dim 1 and the [0,1] range from the Sigmoid.
std::string write_fixed_size_model(const std::string& dir) {
  test::OnnxWriter w(13);
  Tensor weight(DType::kFloat32, {3, 3, 1, 1});
  for (int i = 0; i < 9; ++i) weight.data<float>()[i] = i % 4 == 0 ? 2.f : 0.25f;
  w.input("x", {1, 3, 32, 32}).output("y").init("w", weight);
  w.node("Conv", {"x", "w"}, {"c"});
  w.node("Sigmoid", {"c"}, {"y"});
  const std::string path = dir + "/fixed32.onnx";
  EXPECT_TRUE(w.save(path));
  return path;
}

TEST(BenchRun, RunTaskMeasuresTheSizeTheModelTakesAndExplainsTheOthers) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("bench_run_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string model = write_fixed_size_model(dir.string());
  BenchOptions o = cpu_options("run", {model, "no-such-model"}, {32, 48});
  auto task = make_bench_task("run");
  ASSERT_TRUE(task.is_ok());
  const BenchRun run = run_bench(o, {}, **task, nullptr, quiet);
  ASSERT_EQ(run.results.size(), 4u);

  const ConfigResult& ok = row(run, "run/" + model + "/cpu/fp32/32/b1");
  ASSERT_EQ(ok.outcome, Outcome::kOk) << ok.error;
  EXPECT_TRUE(ok.agreement.is_reference);
  EXPECT_EQ(ok.wall_ms.n, 2);
  EXPECT_GT(ok.images_per_s, 0);
  EXPECT_GT(ok.compile_ms, 0);
  ASSERT_TRUE(ok.pipeline.has_value());
  EXPECT_TRUE(ok.pipeline->ok) << ok.pipeline->error;
  EXPECT_EQ(ok.pipeline->images, 2);

  const ConfigResult& wrong_size = row(run, "run/" + model + "/cpu/fp32/48/b1");
  EXPECT_EQ(wrong_size.outcome, Outcome::kUnavailable);
  EXPECT_NE(wrong_size.error.find("32"), std::string::npos) << wrong_size.error;
  EXPECT_NE(wrong_size.error.find("48"), std::string::npos) << wrong_size.error;

  const ConfigResult& unknown = row(run, "run/no-such-model/cpu/fp32/32/b1");
  EXPECT_EQ(unknown.outcome, Outcome::kUnavailable);
  EXPECT_NE(unknown.error.find("no-such-model"), std::string::npos) << unknown.error;

  EXPECT_EQ(bench_exit_code(run), 0) << "unavailable rows are explained, not failures";
  const std::string md = bench_markdown(run, 0);
  EXPECT_NE(md.find("## Not measured"), std::string::npos);
  EXPECT_NE(md.find("no-such-model"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// Inverts the image; with more than one image in the call it also adds a stripe of
// wrong pixels, so the batch row cannot agree with the batch-1 reference.
class WrongBatchTask : public BenchTask {
 public:
  std::string name() const override { return "wrong-batch"; }
  std::vector<std::string> default_models() const override { return {"fake"}; }
  Result<std::unique_ptr<TaskRunner>> load(const std::string&,
                                           const DeviceSelection&) const override {
    return std::unique_ptr<TaskRunner>(std::make_unique<Runner>());
  }
  std::vector<std::string> cli_args(const std::string&, const std::string&, const std::string&,
                                    const std::string&, const std::string&) const override {
    return {};
  }

 private:
  struct Runner : TaskRunner {
    Result<std::vector<Image>> run(const std::vector<const Image*>& images,
                                   CallReport* report) override {
      std::vector<Image> out;
      for (const Image* in : images) {
        Image o = *in;
        for (uint8_t& c : o.rgb) c = static_cast<uint8_t>(255 - c);
        if (images.size() > 1)
          for (size_t i = 0; i < o.rgb.size() / 4; ++i)
            o.rgb[i] = static_cast<uint8_t>(o.rgb[i] ^ 0x80);
        out.push_back(std::move(o));
      }
      report->batch_ran = static_cast<int>(images.size());
      report->run.compile_ms = 1;
      return out;
    }
    std::string description() const override { return "fake"; }
  };
};

TEST(BenchRun, ADisagreementIsFlaggedAndFailsTheRun) {
  BenchOptions o = cpu_options("wrong-batch", {"fake"}, {32});
  o.cpu_batches = {1, 2};
  o.pipeline = false;
  const BenchRun run = run_bench(o, {}, WrongBatchTask(), nullptr, quiet);
  ASSERT_EQ(run.results.size(), 2u);
  EXPECT_TRUE(run.results[0].agreement.is_reference);
  const Agreement& a = run.results[1].agreement;
  ASSERT_TRUE(a.measured) << a.reference;
  EXPECT_FALSE(a.pass);
  EXPECT_LT(a.psnr_db, a.floor_db);
  EXPECT_EQ(a.max_abs, 128);
  EXPECT_EQ(a.items, 2);
  EXPECT_TRUE(run.results[1].disagrees());
  EXPECT_EQ(bench_exit_code(run), kBenchExitFailure);
  EXPECT_NE(bench_markdown(run, 1).find("**DISAGREES** (< 40 dB)"), std::string::npos);
  EXPECT_FALSE(bench_json(run, 1)["results"][1]["agreement"]["pass"].get<bool>());
}

// Runs batch 1, throws std::bad_alloc (as make_image_tensor does when host memory runs
// out) for anything bigger.
class HostOomTask : public WrongBatchTask {
 public:
  Result<std::unique_ptr<TaskRunner>> load(const std::string&,
                                           const DeviceSelection&) const override {
    return std::unique_ptr<TaskRunner>(std::make_unique<Runner>());
  }

 private:
  struct Runner : TaskRunner {
    Result<std::vector<Image>> run(const std::vector<const Image*>& images,
                                   CallReport* report) override {
      if (images.size() > 1) throw std::bad_alloc();
      report->batch_ran = 1;
      return std::vector<Image>{*images[0]};
    }
    std::string description() const override { return "oom"; }
  };
};

TEST(BenchRun, HostOutOfMemoryIsAnExplainedRowNotACrash) {
  BenchOptions o = cpu_options("oom", {"fake"}, {32});
  o.cpu_batches = {1, 4};
  o.pipeline = false;
  const BenchRun run = run_bench(o, {}, HostOomTask(), nullptr, quiet);
  ASSERT_EQ(run.results.size(), 2u);
  EXPECT_EQ(run.results[0].outcome, Outcome::kOk);
  EXPECT_EQ(run.results[1].outcome, Outcome::kUnavailable);
  EXPECT_NE(run.results[1].error.find("host memory ran out with 4 image(s)"), std::string::npos)
      << run.results[1].error;
  EXPECT_EQ(bench_exit_code(run), 0);
}

}  // namespace
}  // namespace toonbox::bench
