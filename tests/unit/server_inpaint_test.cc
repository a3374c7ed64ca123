// POST /api/v1/inpaint in-process: the result keeps every pixel outside the mask, the
// alpha form, and the refusals (mask of another size, empty mask, not an image, unknown
// parameter, missing fields), each in plain words; and every parameter is documented.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "inpaint_test_util.h"
#include "server/inpaint_routes.h"
#include "server_test_util.h"

using namespace toonbox::pipeline;
using namespace toonbox::image;

namespace toonbox::server_test {
namespace {

std::string mask_png(int w, int h, int x0, int y0, int x1, int y1) {
  InpaintMask m = test::empty_mask(w, h);
  test::add_rect(&m, x0, y0, x1, y1);
  return png_bytes(test::mask_image(m));
}

httplib::Result post(const ServerHarness& h, const httplib::MultipartFormDataItems& items,
                     const std::string& query = "") {
  return h.client()->Post("/api/v1/inpaint" + query, items);
}

TEST(ServerInpaint, FillsOnlyTheMask) {
  ServerHarness h;
  const Image photo = test::inpaint_test_photo(64, 48);
  Image damaged = photo;
  for (int y = 10; y < 20; ++y)
    for (int x = 20; x < 34; ++x) std::fill_n(&damaged.rgb[(y * 64 + x) * 3], 3, 255);
  auto r = post(h, {{"image", png_bytes(damaged), "shot.png", "image/png"},
                    {"mask", mask_png(64, 48, 20, 10, 34, 20), "mask.png", "image/png"},
                    {"model", "ns", "", ""}},
                "?radius=5");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  EXPECT_EQ(r->get_header_value("X-Toonbox-Model"), "ns");
  EXPECT_EQ(r->get_header_value("X-Toonbox-Filled-Pixels"), "140");
  EXPECT_NE(r->get_header_value("Content-Disposition").find("shot-clean.png"), std::string::npos);
  auto out = decode_bytes(r->body);
  ASSERT_TRUE(out.is_ok());
  int changed = 0;
  for (int y = 0; y < 48; ++y)
    for (int x = 0; x < 64; ++x) {
      const bool hole = x >= 20 && x < 34 && y >= 10 && y < 20;
      for (int c = 0; c < 3; ++c) {
        const int i = (y * 64 + x) * 3 + c;
        if (hole) {
          changed += out->rgb[i] != 255;
          continue;
        }
        ASSERT_EQ(out->rgb[i], damaged.rgb[i]) << x << "," << y;
      }
    }
  EXPECT_GT(changed, 140 * 3 * 9 / 10);  // the white box is gone
}

TEST(ServerInpaint, AlphaAsTheMask) {
  ServerHarness h;
  Image photo = test::inpaint_test_photo(40, 30);
  photo.alpha.assign(40 * 30, 255);
  for (int y = 5; y < 9; ++y)
    for (int x = 5; x < 10; ++x) photo.alpha[y * 40 + x] = 0;
  auto r = post(h, {{"image", png_bytes(photo), "a.png", "image/png"}, {"mask", "alpha", "", ""}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  EXPECT_EQ(r->get_header_value("X-Toonbox-Filled-Pixels"), "20");
  EXPECT_EQ(r->get_header_value("X-Toonbox-Model"), "telea");  // no inpainter installed
}

TEST(ServerInpaint, RefusalsInPlainWords) {
  ServerHarness h;
  const std::string photo = png_bytes(test::inpaint_test_photo(64, 48));
  struct Case {
    httplib::MultipartFormDataItems items;
    std::string query;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{{"image", photo, "a.png", "image/png"}, {"mask", mask_png(32, 24, 1, 1, 5, 5), "m.png", "image/png"}},
       "", 400, "32x24"},
      {{{"image", photo, "a.png", "image/png"}, {"mask", mask_png(64, 48, 0, 0, 0, 0), "m.png", "image/png"}},
       "", 400, "nothing to do"},
      {{{"image", photo, "a.png", "image/png"}, {"mask", "this is not a png", "m.png", "image/png"}},
       "", 400, "mask"},
      {{{"image", "not an image at all", "a.png", "image/png"}, {"mask", mask_png(64, 48, 1, 1, 5, 5), "m.png", ""}},
       "", 400, "not an image"},
      {{{"image", photo, "a.png", "image/png"}}, "", 400, "no mask"},
      {{{"mask", mask_png(64, 48, 1, 1, 5, 5), "m.png", "image/png"}}, "", 400, "no image"},
      {{{"image", photo, "a.png", "image/png"}, {"mask", mask_png(64, 48, 1, 1, 5, 5), "m.png", "image/png"}},
       "?strength=1", 400, "unknown parameter"},
      {{{"image", photo, "a.png", "image/png"}, {"mask", mask_png(64, 48, 1, 1, 5, 5), "m.png", "image/png"}},
       "?model=nope", 404, "nope"},
      {{{"image", photo, "a.png", "image/png"}, {"mask", mask_png(64, 48, 0, 0, 64, 48), "m.png", "image/png"}},
       "", 400, "whole image"},
  };
  for (const Case& c : cases) {
    auto r = post(h, c.items, c.query);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.status) << c.says << ": " << r->body.substr(0, 300);
    EXPECT_NE(r->body.find(c.says), std::string::npos) << r->body.substr(0, 300);
  }
  // A mask of another size is scaled with resize_mask=1.
  auto resized = post(h, {{"image", photo, "a.png", "image/png"},
                          {"mask", mask_png(32, 24, 1, 1, 5, 5), "m.png", "image/png"}},
                      "?resize_mask=1");
  ASSERT_TRUE(resized);
  EXPECT_EQ(resized->status, 200) << resized->body.substr(0, 300);
  EXPECT_EQ(resized->get_header_value("X-Toonbox-Filled-Pixels"), "64");
}

TEST(ServerInpaint, EveryParameterIsDocumented) {
  ServerHarness h;
  auto r = h.client()->Get("/api/v1/openapi.json");
  ASSERT_TRUE(r);
  auto doc = nlohmann::json::parse(r->body, nullptr, false);
  ASSERT_TRUE(doc.is_object());
  std::set<std::string> names;
  for (const auto& p : doc["paths"]["/api/v1/inpaint"]["post"]["parameters"]) {
    const std::string ref = p.value("$ref", "");
    names.insert(doc["components"]["parameters"][ref.substr(ref.rfind('/') + 1)].value("name", ""));
  }
  for (const std::string& name : server::inpaint_param_names())
    EXPECT_TRUE(names.count(name)) << "parameter '" << name << "' of /api/v1/inpaint missing from openapi.json";
  auto js = h.client()->Get("/inpaint.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_NE(js->body.find("/api/v1/inpaint"), std::string::npos);
}

}  // namespace
}  // namespace toonbox::server_test
