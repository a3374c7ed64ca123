#!/usr/bin/env python3
"""Writes probe.onnx: an NCHW image model whose output repeats its input's FIRST channel
in all three, so which colour comes out grey tells which channel order the pipeline fed
it (RGB: the red plane; BGR: the blue one). Exits 3 when the onnx module is absent."""
import sys
try:
    import onnx
    from onnx import TensorProto, helper
except ImportError:
    sys.exit(3)

first = helper.make_node("Slice", ["x", "starts", "ends", "axes"], ["c0"])
grey = helper.make_node("Concat", ["c0", "c0", "c0"], ["y"], axis=1)
ints = lambda name, v: helper.make_tensor(name, TensorProto.INT64, [len(v)], v)
graph = helper.make_graph(
    [first, grey], "channel_probe",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, "h", "w"])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, "h", "w"])],
    initializer=[ints("starts", [0]), ints("ends", [1]), ints("axes", [1])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
