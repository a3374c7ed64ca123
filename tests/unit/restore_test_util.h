// Stand-in face "restorers" for the restore tests (pipeline and server), written with the
// generated protobuf classes: no real weights exist here.
#pragma once

#include <string>

#include "unit/onnx_test_util.h"

namespace toonbox::test {

// facefusion's export interface ('input' [1,3,S,S] -> 'output'): `op` "Identity" or "Neg"
// (the colour negative in [-1,1]), or "Mul" by a second input 'weight' [1] (CodeFormer's
// fidelity). False when it cannot be written.
inline bool write_face_restorer(const std::string& path, const std::string& op, int size,
                                bool weight = false) {
  OnnxWriter w;
  w.input("input", {1, 3, size, size});
  if (weight) w.input("weight", {1});
  if (op == "Mul")
    w.node("Mul", {"input", "weight"}, {"output"});
  else
    w.node(op, {"input"}, {"output"});
  w.output("output");
  return w.save(path);
}

}  // namespace toonbox::test
