// The server's pure parts: parameter parsing, blending and output sizes, download names,
// the metrics text, and the embedded files.
#include <gtest/gtest.h>

#include "server/embedded_files.h"
#include "server/image_ops.h"
#include "server/metrics.h"
#include "server/request_params.h"

using namespace toonbox::pipeline;
using namespace toonbox::image;

namespace toonbox::server {
namespace {

TEST(ServerParams, DefaultsAndOverrides) {
  auto p = parse_cartoonize_params({});
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p->model, "");
  EXPECT_EQ(p->precision, "auto");
  EXPECT_EQ(p->long_side, 0);
  EXPECT_FLOAT_EQ(p->strength, 1.f);
  EXPECT_EQ(p->format, ImageFormat::kPng);
  auto q = parse_cartoonize_params({{"strength", "0.25"}, {"strength", "0.75"}, {"format", "jpg"},
                                    {"model", "default"}, {"long_side", "512"}, {"mode", "whole"}});
  ASSERT_TRUE(q.is_ok());
  EXPECT_FLOAT_EQ(q->strength, 0.75f);
  EXPECT_EQ(q->format, ImageFormat::kJpeg);
  EXPECT_EQ(q->model, "");
  EXPECT_EQ(q->long_side, 512);
  EXPECT_EQ(q->mode, "whole");
}

TEST(ServerParams, RefusesPathsAndJunk) {
  for (const char* m : {"../x", "/etc/passwd", "a/b", ".hidden", "a b", "x\\y"})
    EXPECT_FALSE(parse_cartoonize_params({{"model", m}}).is_ok()) << m;
  EXPECT_TRUE(parse_cartoonize_params({{"model", "whitebox-uint8"}}).is_ok());
  for (const char* v : {"", "1e400", "0x1", "1,5", " 1"})
    EXPECT_FALSE(parse_cartoonize_params({{"strength", v}}).is_ok()) << v;
  for (const char* v : {"", "12abc", "99999999999", "16385"})
    EXPECT_FALSE(parse_cartoonize_params({{"long_side", v}}).is_ok()) << v;
  for (const char* mode : {"auto", "portrait", "whole"}) {
    auto p = parse_cartoonize_params({{"mode", mode}});
    ASSERT_TRUE(p.is_ok()) << mode;
    EXPECT_EQ(p->mode, mode);
  }
  EXPECT_EQ(parse_cartoonize_params({})->mode, "auto");
  EXPECT_FALSE(parse_cartoonize_params({{"mode", "Portrait"}}).is_ok());
}

TEST(ServerImageOps, BlendIsExactAtTheEnds) {
  Image a, b;
  a.width = b.width = 2;
  a.height = b.height = 1;
  a.rgb = {0, 100, 255, 10, 20, 30};
  b.rgb = {255, 0, 0, 30, 20, 10};
  EXPECT_EQ(blend_with_original(a, b, 0.f).rgb, a.rgb);
  EXPECT_EQ(blend_with_original(a, b, 1.f).rgb, b.rgb);
  EXPECT_EQ(blend_with_original(a, b, 0.5f).rgb, (std::vector<uint8_t>{128, 50, 128, 20, 20, 20}));
}

TEST(ServerImageOps, OutputSizeKeepsTheAspectRatio) {
  int w = 0, h = 0;
  output_size(4000, 3000, 1000, &w, &h);
  EXPECT_EQ(w, 1000);
  EXPECT_EQ(h, 750);
  output_size(300, 600, 1200, &w, &h);
  EXPECT_EQ(w, 600);
  EXPECT_EQ(h, 1200);
  output_size(5000, 1, 100, &w, &h);
  EXPECT_EQ(h, 1);
  output_size(64, 48, 0, &w, &h);
  EXPECT_EQ(w, 64);
  EXPECT_EQ(h, 48);
}

TEST(ServerImageOps, DownloadNamesAreNeverPaths) {
  EXPECT_EQ(download_name("photo.jpg", "-toon", "png"), "photo-toon.png");
  EXPECT_EQ(download_name("../../etc/passwd", "-toon", "png"), "passwd-toon.png");
  EXPECT_EQ(download_name("C:\\Users\\me\\cat.PNG", "", "webp"), "cat.webp");
  EXPECT_EQ(download_name("..", "-toon", "png"), "image-toon.png");
  EXPECT_EQ(download_name("a\"b;c\r\nd.png", "", "png"), "a_b_c_d.png");
  EXPECT_EQ(download_name(".bashrc", "", "png"), "bashrc.png");
  EXPECT_EQ(download_name("", "-toon", "jpg"), "image-toon.jpg");
  EXPECT_LE(download_name(std::string(500, 'x') + ".png", "-toon", "png").size(), 80u + 9u);
}

TEST(ServerMetrics, HistogramsAreCumulative) {
  Histogram h({1, 2, 5});
  for (double v : {0.5, 1.0, 1.5, 3.0, 10.0}) h.observe(v);
  std::string out;
  h.render("x", "a=\"b\"", &out);
  EXPECT_EQ(out,
            "x_bucket{a=\"b\",le=\"1\"} 2\n"
            "x_bucket{a=\"b\",le=\"2\"} 3\n"
            "x_bucket{a=\"b\",le=\"5\"} 4\n"
            "x_bucket{a=\"b\",le=\"+Inf\"} 5\n"
            "x_sum{a=\"b\"} 16\n"
            "x_count{a=\"b\"} 5\n");
}

TEST(ServerMetrics, LabelsAreEscaped) {
  EXPECT_EQ(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  Metrics m;
  m.record_request("/x", "GET", 200, 0.01);
  MetricsGauges g;
  g.device_id = "cpu";
  g.device_label = "CPU \"fast\"";
  g.gpu_memory_note = "no GPU";
  const std::string text = m.render(g);
  EXPECT_NE(text.find("label=\"CPU \\\"fast\\\"\""), std::string::npos) << text;
  EXPECT_NE(text.find("toonbox_http_requests_total{route=\"/x\",method=\"GET\",code=\"200\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("# no GPU\n"), std::string::npos);
}

TEST(ServerEmbedded, PageFilesAreBuiltIn) {
  for (const char* name : {"index.html", "app.js", "style.css", "openapi.json"}) {
    const EmbeddedFile* f = find_embedded_file(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_GT(f->size, 0u) << name;
    EXPECT_EQ(f->data[f->size], 0) << name;  // terminated, though the size is what counts
  }
  EXPECT_EQ(find_embedded_file("../secret"), nullptr);
}

}  // namespace
}  // namespace toonbox::server
