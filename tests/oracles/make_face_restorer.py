#!/usr/bin/env python3
"""Writes a stand-in face "restorer" ONNX with a real restorer's interface (facefusion's
GFPGAN export: input 'input' [1,3,S,S] float, output 'output' of the same shape, values in
[-1,1]), for the paste-back tests of `toonbox restore` (no real weights exist here).

  identity  returns its input: the whole pipeline must give the photo back
  shift     adds a fixed colour (+0.3 red, -0.3 blue in [-1,1], clipped): where and how the
            restored crop is pasted becomes visible, and a wrong blend cannot pass
  --weight  adds CodeFormer's second input 'weight' [1] (float32 here: the float64 the real
            export uses needs the importer's float64 inputs) and multiplies the output by it

Uses Debian's python3-onnx (onnx.helper); exits 77 when it is missing.
"""
import argparse
import sys

try:
    import onnx
    from onnx import TensorProto, helper
except ImportError:
    print("python3-onnx is not installed", file=sys.stderr)
    sys.exit(77)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["identity", "shift"])
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--weight", action="store_true")
    a = ap.parse_args()
    s = a.size
    inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, s, s])]
    nodes, inits = [], []
    last = "input"
    if a.kind == "shift":
        inits.append(helper.make_tensor("shift", TensorProto.FLOAT, [1, 3, 1, 1], [0.3, 0.0, -0.3]))
        inits.append(helper.make_tensor("lo", TensorProto.FLOAT, [], [-1.0]))
        inits.append(helper.make_tensor("hi", TensorProto.FLOAT, [], [1.0]))
        nodes.append(helper.make_node("Add", ["input", "shift"], ["shifted"]))
        nodes.append(helper.make_node("Clip", ["shifted", "lo", "hi"], ["clipped"]))
        last = "clipped"
    if a.weight:
        inputs.append(helper.make_tensor_value_info("weight", TensorProto.FLOAT, [1]))
        nodes.append(helper.make_node("Mul", [last, "weight"], ["weighted"]))
        last = "weighted"
    nodes.append(helper.make_node("Identity", [last], ["output"]))
    graph = helper.make_graph(nodes, "face_restorer_" + a.kind, inputs,
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, s, s])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="toonbox-tests")
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, a.out)


if __name__ == "__main__":
    main()
