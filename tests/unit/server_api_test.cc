// The REST API over loopback, against a server started in-process (built-in style, CPU):
// status, models, single-image requests with every parameter, errors in plain words,
// jobs, metrics, static files and the OpenAPI document.
#include <algorithm>
#include <cmath>
#include <set>

#include "server/embedded_files.h"
#include "server/request_params.h"
#include "server_test_util.h"

using namespace toonbox::image;

namespace toonbox::server_test {
namespace {

TEST(ServerApi, StatusSaysDeviceStateAndReason) {
  ServerHarness h;
  auto r = h.client()->Get("/api/v1/status");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto j = json_of(r);
  EXPECT_EQ(j["status_line"], "CPU: fallback — no NVIDIA driver: libcuda.so.1 not found");
  EXPECT_EQ(j["device"]["state"], "fallback");
  EXPECT_EQ(j["device"]["kind"], "cpu");
  EXPECT_EQ(j["device"]["precisions"], nlohmann::json::array({"fp32"}));
  EXPECT_EQ(j["default_model"], "classic");
  EXPECT_EQ(j["queue"]["batching"], "batched");
  EXPECT_EQ(j["queue"]["depth"], 0);
  EXPECT_EQ(j["modes"]["portrait"], false);  // no face detector in the harness's models folder
  EXPECT_NE(j["portrait"]["reason"].get<std::string>().find("toonbox models import"), std::string::npos);
  EXPECT_EQ(j["ready"], true);
  EXPECT_EQ(j["doctor_url"], "/doctor");
}

TEST(ServerApi, StatusLineForARequestedCpu) {
  server::ServerConfig c;
  c.requested_device = "cpu";
  ServerHarness h(c);
  EXPECT_EQ(h.server->status_line().rfind("CPU: requested (--device cpu) — CPU, ", 0), 0u)
      << h.server->status_line();
}

TEST(ServerApi, StatusLineForAGpu) {
  ServerHarness h({}, /*fake_gpu=*/true);
  EXPECT_EQ(h.server->status_line(), "GPU: active — Fake GPU (sm_90, 8 GiB), fp16");
  auto j = json_of(h.client()->Get("/api/v1/status"));
  EXPECT_EQ(j["device"]["state"], "active");
  EXPECT_EQ(j["device"]["precisions"], nlohmann::json::array({"fp32", "tf32", "fp16"}));
}

TEST(ServerApi, ModelsListTheBuiltInStyleAsDefault) {
  ServerHarness h;
  auto j = json_of(h.client()->Get("/api/v1/models"));
  EXPECT_EQ(j["default"], "classic");
  ASSERT_TRUE(j["models"].is_array());
  ASSERT_FALSE(j["models"].empty());
  EXPECT_EQ(j["models"][0]["name"], "classic");
  EXPECT_EQ(j["models"][0]["kind"], "builtin");
  EXPECT_EQ(j["models"][0]["default"], true);
}

TEST(ServerApi, CartoonizeMultipartReturnsAnImageOfTheInputSize) {
  ServerHarness h;
  auto r = h.cartoonize(png_bytes(64, 48));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(r->get_header_value("X-Toonbox-Model"), "classic");
  EXPECT_EQ(r->get_header_value("X-Toonbox-Device"), "cpu");
  EXPECT_EQ(r->get_header_value("X-Toonbox-Precision"), "fp32");
  EXPECT_NE(r->get_header_value("Server-Timing").find("inference;dur="), std::string::npos);
  EXPECT_EQ(r->get_header_value("Content-Disposition"), "inline; filename=\"photo-toon.png\"");
  auto img = decode_bytes(r->body);
  ASSERT_TRUE(img.is_ok()) << img.status().to_string();
  EXPECT_EQ(img->width, 64);
  EXPECT_EQ(img->height, 48);
}

TEST(ServerApi, CartoonizeRawBodyWithParameters) {
  ServerHarness h;
  auto r = h.client()->Post("/api/v1/cartoonize?long_side=32&format=jpeg&quality=80&mode=auto&precision=auto",
                            png_bytes(64, 48), "image/png");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(r->get_header_value("X-Toonbox-Size"), "32x24");
  auto img = decode_bytes(r->body);
  ASSERT_TRUE(img.is_ok());
  EXPECT_EQ(img->width, 32);
  EXPECT_EQ(img->height, 24);
}

TEST(ServerApi, LongSideUpscalesBeyondTheInput) {
  ServerHarness h;
  auto r = h.cartoonize(png_bytes(40, 60), "?long_side=90&format=webp");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  auto img = decode_bytes(r->body);
  ASSERT_TRUE(img.is_ok());
  EXPECT_EQ(img->width, 60);
  EXPECT_EQ(img->height, 90);
}

TEST(ServerApi, StrengthZeroGivesTheOriginalAndFormFieldsOverrideTheQuery) {
  ServerHarness h;
  const Image original = test_image(50, 30);
  httplib::MultipartFormDataItems items = {{"image", png_bytes(original), "a.png", "image/png"},
                                           {"strength", "0", "", ""}};
  auto r = h.client()->Post("/api/v1/cartoonize?strength=1", items);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  auto img = decode_bytes(r->body);
  ASSERT_TRUE(img.is_ok());
  EXPECT_EQ(img->rgb, original.rgb);

  // Half strength lies between the original and the full style.
  auto full = decode_bytes(h.cartoonize(png_bytes(original), "?strength=1")->body);
  auto half = decode_bytes(h.cartoonize(png_bytes(original), "?strength=0.5")->body);
  ASSERT_TRUE(full.is_ok() && half.is_ok());
  int off = 0;
  for (size_t i = 0; i < original.rgb.size(); ++i) {
    const int expect = (full->rgb[i] + original.rgb[i] + 1) / 2;
    off += std::abs(half->rgb[i] - expect) > 1;
  }
  EXPECT_EQ(off, 0);
}

TEST(ServerApi, ParameterErrorsAreRefusedInPlainWords) {
  ServerHarness h;
  const std::string img = png_bytes(16, 16);
  expect_refusals({
      {"?mode=portrait", 404, "portrait mode needs YuNet"},
      {"?mode=sideways", 400, "mode must be auto, portrait or whole"},
      {"?precision=fp16", 400, "not available on this server's device"},
      {"?precision=tf32", 400, "not available on this server's device"},
      {"?precision=fp64", 400, "precision must be auto, fp32, tf32 or fp16"},
      {"?strength=1.5", 400, "strength must be a number from 0 to 1"},
      {"?strength=nan", 400, "strength must be a number from 0 to 1"},
      {"?long_side=-3", 400, "long_side must be 0"},
      {"?format=gif", 400, "format must be png, jpeg or webp"},
      {"?quality=0", 400, "quality must be 1..100"},
      {"?colour=red", 400, "unknown parameter 'colour'"},
      {"?model=../../etc/passwd", 400, "is not a model name"},
      {"?model=%2Fetc%2Fpasswd", 400, "is not a model name"},
      {"?model=no-such-model", 404, "no model named 'no-such-model' is installed"},
  }, [&](const std::string& query) { return h.cartoonize(img, query); });
  EXPECT_EQ(h.hooks->run_count(), 0);  // nothing reached the device
}

// POST /api/v1/upscale refuses what it can before any work, in the words of
// /api/v1/cartoonize (the success path needs real weights: tests/browser/upscale_ui_test.mjs).
TEST(ServerApi, UpscaleRefusalsBeforeAnyWork) {
  ServerHarness h;
  const std::string img = png_bytes(16, 16);
  expect_refusals({
      {"?scale=5", 400, "scale must be an integer in 2..4"},
      {"?tta=maybe", 400, "tta must be true, false, 1 or 0"},
      {"?strength=1", 400, "unknown parameter 'strength'"},
      {"?format=gif", 400, "format must be png, jpeg or webp"},
      {"?model=../x.param", 400, "is not a model name"},
      {"?scale=2", 404, "realesr-animevideov3-x2"},
      {"?model=no-such-model", 404, "no-such-model"},
  }, [&](const std::string& query) { return h.client()->Post("/api/v1/upscale" + query, img, "image/png"); });
  EXPECT_EQ(h.hooks->run_count(), 0);  // nothing reached the device
}

// Without a face detector, auto (the default) stylizes the whole frame and says why.
TEST(ServerApi, AutoModeWithoutADetectorRunsWholeAndSaysWhy) {
  ServerHarness h;
  auto r = h.cartoonize(png_bytes(40, 30));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("X-Toonbox-Mode"), "whole");
  EXPECT_EQ(r->get_header_value("X-Toonbox-Faces"), "0");
  EXPECT_NE(r->get_header_value("X-Toonbox-Notes").find("no face detector installed"), std::string::npos)
      << r->get_header_value("X-Toonbox-Notes");
  auto whole = h.cartoonize(png_bytes(40, 30), "?mode=whole");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->get_header_value("X-Toonbox-Notes"), "");
  EXPECT_EQ(whole->body, r->body);
}

TEST(ServerApi, RequestShapeErrors) {
  ServerHarness h;
  auto c = h.client();
  auto empty = c->Post("/api/v1/cartoonize", "", "image/png");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 400);
  EXPECT_NE(error_message(empty).find("no image"), std::string::npos);

  httplib::MultipartFormDataItems two = {{"image", png_bytes(8, 8), "a.png", "image/png"},
                                         {"image", png_bytes(8, 8), "b.png", "image/png"}};
  auto r2 = c->Post("/api/v1/cartoonize", two);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 400);
  EXPECT_NE(error_message(r2).find("POST /api/v1/jobs"), std::string::npos);

  // curl --data-binary sends form-urlencoded unless told otherwise: say how to fix it.
  auto form = c->Post("/api/v1/cartoonize", png_bytes(8, 8), "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415);
  EXPECT_NE(error_message(form).find("application/octet-stream"), std::string::npos);
}

TEST(ServerApi, CorruptFilesAreReportedAsSuch) {
  ServerHarness h;
  std::string truncated = png_bytes(64, 64);
  truncated.resize(truncated.size() / 2);
  for (const std::string& bytes : {std::string("this is not an image at all"), truncated}) {
    auto r = h.cartoonize(bytes);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    auto j = json_of(r);
    EXPECT_EQ(j["error"]["code"], "corrupt_image") << r->body;
    EXPECT_NE(error_message(r).find("not an image toonbox can read"), std::string::npos) << r->body;
  }
}

TEST(ServerApi, UnknownEndpointsGetAJsonNotFound) {
  ServerHarness h;
  auto r = h.client()->Get("/api/v1/nothing-here");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(error_message(r).find("no such endpoint: GET /api/v1/nothing-here"), std::string::npos);
}

TEST(ServerApi, JobsRunManyImagesAndReportEachOne) {
  ServerHarness h;
  auto c = h.client();
  httplib::MultipartFormDataItems items = {{"images", png_bytes(40, 30), "one.png", "image/png"},
                                           {"images", "garbage bytes", "two.jpg", "image/jpeg"},
                                           {"images", png_bytes(30, 40), "../../three.png", "image/png"},
                                           {"format", "webp", "", ""}};
  auto r = c->Post("/api/v1/jobs", items);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string id = json_of(r)["id"];
  EXPECT_EQ(r->get_header_value("Location"), "/api/v1/jobs/" + id);

  nlohmann::json j;
  ASSERT_TRUE(eventually([&] {
    j = json_of(c->Get(("/api/v1/jobs/" + id).c_str()));
    return j.value("state", "") == "finished";
  }));
  EXPECT_EQ(j["total"], 3);
  EXPECT_EQ(j["done"], 2);
  EXPECT_EQ(j["failed"], 1);
  EXPECT_EQ(j["items"][1]["state"], "failed");
  EXPECT_EQ(j["items"][1]["error"]["code"], "corrupt_image");
  EXPECT_EQ(j["items"][0]["filename"], "one-toon.webp");
  EXPECT_EQ(j["items"][2]["filename"], "three-toon.webp");  // no folders from client names
  EXPECT_EQ(j["items"][2]["name"], "../../three.png");      // shown as sent, never used as a path
  EXPECT_EQ(j["items"][0]["mode"], "whole");  // auto without a detector: whole, and why
  EXPECT_EQ(j["items"][0]["faces"], 0);
  ASSERT_TRUE(j["items"][0]["notes"].is_array());
  ASSERT_FALSE(j["items"][0]["notes"].empty());
  EXPECT_NE(j["items"][0]["notes"][0].get<std::string>().find("no face detector"), std::string::npos);

  auto img = c->Get(j["items"][2]["result_url"].get<std::string>().c_str());
  ASSERT_TRUE(img);
  ASSERT_EQ(img->status, 200);
  EXPECT_EQ(img->get_header_value("Content-Type"), "image/webp");
  EXPECT_EQ(img->get_header_value("Content-Disposition"), "attachment; filename=\"three-toon.webp\"");
  auto decoded = decode_bytes(img->body);
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_EQ(decoded->width, 30);
  EXPECT_EQ(decoded->height, 40);

  auto failed = c->Get(("/api/v1/jobs/" + id + "/results/1").c_str());
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 400);
  auto missing = c->Get(("/api/v1/jobs/" + id + "/results/7").c_str());
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto unknown = c->Get("/api/v1/jobs/0123456789abcdef");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST(ServerApi, JobsRefuseTooManyImagesAndNone) {
  server::ServerConfig config;
  config.jobs.max_images_per_job = 2;
  ServerHarness h(config);
  auto c = h.client();
  httplib::MultipartFormDataItems three;
  for (int i = 0; i < 3; ++i) three.push_back({"images", png_bytes(8, 8), "x.png", "image/png"});
  auto r = c->Post("/api/v1/jobs", three);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(error_message(r).find("at most 2 images"), std::string::npos);
  httplib::MultipartFormDataItems none = {{"format", "png", "", ""}};
  auto r0 = c->Post("/api/v1/jobs", none);
  ASSERT_TRUE(r0);
  EXPECT_EQ(r0->status, 400);
}

TEST(ServerApi, JobsCanBeCancelled) {
  // One image per device call: with batching the job's same-size images would run
  // together in the first call and there would be nothing left to cancel.
  server::ServerConfig config;
  config.scheduler.max_batch = 1;
  ServerHarness h(config);
  h.hooks->close_gate();
  auto c = h.client();
  httplib::MultipartFormDataItems items;
  for (int i = 0; i < 4; ++i) items.push_back({"images", png_bytes(20, 20), "x.png", "image/png"});
  auto r = c->Post("/api/v1/jobs", items);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202);
  const std::string id = json_of(r)["id"];
  ASSERT_TRUE(h.hooks->wait_blocked(1));  // the first image is running
  auto d = c->Delete(("/api/v1/jobs/" + id).c_str());
  ASSERT_TRUE(d);
  ASSERT_EQ(d->status, 200) << d->body;
  h.hooks->open_gate();
  nlohmann::json j;
  ASSERT_TRUE(eventually([&] {
    j = json_of(c->Get(("/api/v1/jobs/" + id).c_str()));
    return j.value("pending", 1) == 0;
  }));
  EXPECT_EQ(j["state"], "cancelled");
  EXPECT_EQ(j["done"], 1);  // the running one finished
  EXPECT_EQ(j["cancelled"], 3);
  EXPECT_EQ(h.hooks->run_count(), 1);
}

TEST(ServerApi, MetricsArePrometheusText) {
  ServerHarness h;
  ASSERT_EQ(h.cartoonize(png_bytes(16, 16))->status, 200);
  ASSERT_EQ(h.cartoonize("junk")->status, 400);
  // A request is counted just after its response is sent, so give the count a moment.
  std::string m;
  ASSERT_TRUE(eventually([&] {
    auto r = h.client()->Get("/metrics");
    if (!r || r->status != 200) return false;
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    m = r->body;
    return m.find("route=\"/api/v1/cartoonize\",method=\"POST\",code=\"400\"") != std::string::npos;
  }));
  for (const char* want : {
           "toonbox_http_requests_total{route=\"/api/v1/cartoonize\",method=\"POST\",code=\"200\"} 1\n",
           "toonbox_http_requests_total{route=\"/api/v1/cartoonize\",method=\"POST\",code=\"400\"} 1\n",
           "toonbox_http_request_duration_seconds_count{route=\"/api/v1/cartoonize\"} 2\n",
           "toonbox_images_processed_total{model=\"classic\",outcome=\"ok\"} 1\n",
           "toonbox_queue_depth{device=\"cpu\"} 0\n",
           "toonbox_queue_capacity{device=\"cpu\"} 16\n",
           "toonbox_inference_duration_seconds_count 1\n",
           "toonbox_batch_size_count 1\n",
           "# TYPE toonbox_gpu_memory_used_bytes gauge\n",
           "batching=\"batched\"",
       })
    EXPECT_NE(m.find(want), std::string::npos) << "missing: " << want << "\n" << m;
  // Every sample line is `name{labels} value` or `name value`, and buckets never decrease.
  std::istringstream lines(m);
  std::string line;
  double last_bucket = -1;
  std::string last_family;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    char* end = nullptr;
    const double v = std::strtod(line.c_str() + space + 1, &end);
    EXPECT_EQ(*end, '\0') << line;
    if (line.find("_bucket{") != std::string::npos) {
      const std::string family = line.substr(0, line.find("le="));
      if (family == last_family) {
        EXPECT_GE(v, last_bucket) << line;
      }
      last_family = family;
      last_bucket = v;
    }
  }
}

TEST(ServerApi, HealthEndpoints) {
  ServerHarness h;
  auto live = h.client()->Get("/health/live");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  auto ready = h.client()->Get("/health/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(json_of(ready)["status"], "ready");
}

TEST(ServerApi, PageAndAssetsAreServedFromTheBinary) {
  ServerHarness h;
  auto c = h.client();
  auto page = c->Get("/");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(page->body, std::string(server::find_embedded_file("index.html")->view()));
  const std::string etag = page->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto again = c->Get("/", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  for (const char* asset : {"/app.js", "/style.css", "/api/v1/openapi.json"}) {
    auto r = c->Get(asset);
    ASSERT_TRUE(r) << asset;
    EXPECT_EQ(r->status, 200) << asset;
    EXPECT_FALSE(r->body.empty()) << asset;
  }
  // Nothing in the page refers to another host (it must work offline).
  for (const char* name : {"index.html", "app.js", "style.css"}) {
    const std::string text(server::find_embedded_file(name)->view());
    EXPECT_EQ(text.find("http://"), std::string::npos) << name;
    EXPECT_EQ(text.find("https://"), std::string::npos) << name;
  }
}

TEST(ServerApi, OpenApiDocumentsEveryRouteAndParameter) {
  ServerHarness h;
  auto r = h.client()->Get("/api/v1/openapi.json");
  ASSERT_TRUE(r);
  auto doc = nlohmann::json::parse(r->body, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << "openapi.json does not parse";
  EXPECT_EQ(doc.value("openapi", "").substr(0, 2), "3.");
  std::set<std::string> documented;
  for (const auto& [path, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      std::transform(m.begin(), m.end(), m.begin(), ::toupper);
      documented.insert(m + " " + path);
    }
  std::set<std::string> served;
  for (const server::RouteInfo& route : server::server_routes()) {
    const std::string key = std::string(route.method) + " " + route.path;
    served.insert(key);
    EXPECT_TRUE(documented.count(key)) << key << " is served but not in docs/openapi.json";
  }
  for (const std::string& key : documented)
    EXPECT_TRUE(served.count(key)) << key << " is in docs/openapi.json but not served";
  // Every operation has an operationId, unique in the document (client generators name
  // their functions after it), and documents the 408 the connection layer sends before
  // routing when a request's headers or body are too slow.
  std::set<std::string> operation_ids;
  for (const auto& [path, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items()) {
      const std::string id = op.value("operationId", "");
      EXPECT_FALSE(id.empty()) << method << " " << path << " has no operationId";
      EXPECT_TRUE(operation_ids.insert(id).second) << "operationId " << id << " is used twice";
      EXPECT_TRUE(op["responses"].contains("408")) << method << " " << path << " does not document 408";
    }
  EXPECT_TRUE(doc["components"]["responses"].contains("RequestTimeout"));
  // Every documented GET without path parameters is answered by a route (the doctor's
  // two are left out: they run the real environment checks).
  auto c = h.client();
  for (const auto& [path, ops] : doc["paths"].items()) {
    if (!ops.contains("get") || path.find('{') != std::string::npos || path.find("doctor") != std::string::npos)
      continue;
    auto got = c->Get(path.c_str());
    ASSERT_TRUE(got) << path;
    EXPECT_NE(got->status, 404) << path << " is documented but not found";
  }
  // Every request parameter is documented on the cartoonize operation.
  std::set<std::string> params;
  for (const auto& p : doc["components"]["parameters"].items()) params.insert(p.value().value("name", ""));
  for (const std::string& name : server::cartoonize_param_names())
    EXPECT_TRUE(params.count(name)) << "parameter '" << name << "' missing from openapi.json";
}

}  // namespace
}  // namespace toonbox::server_test
