// JSON text that never throws. nlohmann::json's dump() throws type_error 316 on a string
// that is not valid UTF-8, and strings from outside (a file name with byte 0xFF, a
// client's upload name) need not be: such bytes become U+FFFD instead, so one odd name
// cannot abort a folder run or a server response.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace toonbox {

inline std::string json_text(const nlohmann::json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline std::string json_text(const nlohmann::ordered_json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace toonbox
