// Reading an ONNX file: the protobuf with a size limit, tensors (raw_data, typed fields,
// external data) decoded into host Tensors with every size and path checked.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/status.h"
#include "core/tensor.h"
#include "onnx.pb.h"

namespace toonbox::onnx_import {

// Parses `path` into `model`. Files over `max_bytes` are refused before reading.
Status read_model_proto(const std::string& path, int64_t max_bytes, onnx::ModelProto* model);

// ONNX TensorProto.DataType -> DType. Double becomes float32, int8/int16/uint16/uint32
// become int32 (values kept); other types are unimplemented.
Result<DType> dtype_from_onnx(int32_t onnx_type, const std::string& what);
const char* onnx_type_name(int32_t onnx_type);

// Decodes a TensorProto. External data is read from `model_dir` (the folder of the
// model file); paths that are absolute or leave that folder are refused.
// `budget` is decremented by the tensor's bytes (total weight limit).
Result<Tensor> decode_tensor(const onnx::TensorProto& t, const std::filesystem::path& model_dir,
                             int64_t* budget);

}  // namespace toonbox::onnx_import
