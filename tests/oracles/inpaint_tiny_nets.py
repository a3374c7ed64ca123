#!/usr/bin/env python3
"""Tiny inpainting networks for tests/unit/inpaint_network_test.cc, one per contract form.

Each fills the hole with a known function of its inputs, so a wrong input order, mask
convention, value range or hole zeroing gives a wrong picture; and each returns the known
pixels darkened (halved), so a pipeline that used more than the holes of the output fails:

  lama_dynamic.onnx   image [1,3,H,W] 0..1, mask [1,1,H,W] 1 = remove; out 0..1:
                      image*(1-m)/2 + m*(1-image)          (holes: the colour inverted)
  lama_fixed512.onnx  the same at a fixed 512x512, out on 0..255 (as Carve's export)
  four_channel.onnx   one [1,4,H,W] input image*(1-m) || m; out 0..1:
                      x[:3]/2 + x[3]*(0.2, 0.4, 0.6)       (holes: that colour, if zeroed)
  migan_like.onnx     mask [1,1,H,W] FIRST, then image [1,3,H,W], both 0..255, 255 = keep;
                      out 0..255: image*m/255/2 + (255-image)*(1-m/255)

usage: inpaint_tiny_nets.py OUTDIR
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def const(name, values, dims):
    return helper.make_tensor(name, TensorProto.FLOAT, dims, np.asarray(values, np.float32).ravel().tolist())


def save(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def invert_in_holes(name, h, w, out_scale):
    dims = [1, 3, h, w] if h else [1, 3, "H", "W"]
    mdims = [1, 1, h, w] if h else [1, 1, "H", "W"]
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, dims)
    mask = helper.make_tensor_value_info("mask", TensorProto.FLOAT, mdims)
    out = helper.make_tensor_value_info("output", TensorProto.FLOAT, dims)
    nodes = [
        helper.make_node("Sub", ["one", "mask"], ["keep"]),
        helper.make_node("Mul", ["image", "keep"], ["known_full"]),
        helper.make_node("Mul", ["known_full", "half"], ["known"]),
        helper.make_node("Sub", ["one", "image"], ["inverted"]),
        helper.make_node("Mul", ["inverted", "mask"], ["filled"]),
        helper.make_node("Add", ["known", "filled"], ["sum"]),
        helper.make_node("Mul", ["sum", "scale"], ["output"]),
    ]
    return helper.make_graph(nodes, name, [image, mask], [out],
                             [const("one", [1.0], [1]), const("scale", [out_scale], [1]), const("half", [0.5], [1])])


def four_channel():
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 4, "H", "W"])
    out = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, "H", "W"])
    ints = lambda n, v: helper.make_tensor(n, TensorProto.INT64, [len(v)], v)
    nodes = [
        helper.make_node("Slice", ["input", "s0", "e3", "ax"], ["rgb"]),
        helper.make_node("Slice", ["input", "e3", "e4", "ax"], ["m"]),
        helper.make_node("Mul", ["m", "colour"], ["fill"]),
        helper.make_node("Mul", ["rgb", "half"], ["dim"]),
        helper.make_node("Add", ["dim", "fill"], ["output"]),
    ]
    inits = [ints("s0", [0]), ints("e3", [3]), ints("e4", [4]), ints("ax", [1]),
             const("colour", [0.2, 0.4, 0.6], [1, 3, 1, 1]), const("half", [0.5], [1])]
    return helper.make_graph(nodes, "four_channel", [x], [out], inits)


def migan_like():
    mask = helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, "H", "W"])
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, "H", "W"])
    out = helper.make_tensor_value_info("result", TensorProto.FLOAT, [1, 3, "H", "W"])
    nodes = [
        helper.make_node("Div", ["mask", "c255"], ["keep"]),
        helper.make_node("Sub", ["one", "keep"], ["hole"]),
        helper.make_node("Mul", ["image", "keep"], ["known_full"]),
        helper.make_node("Mul", ["known_full", "half"], ["known"]),
        helper.make_node("Sub", ["c255", "image"], ["inverted"]),
        helper.make_node("Mul", ["inverted", "hole"], ["filled"]),
        helper.make_node("Add", ["known", "filled"], ["result"]),
    ]
    return helper.make_graph(nodes, "migan_like", [mask, image], [out],
                             [const("one", [1.0], [1]), const("c255", [255.0], [1]), const("half", [0.5], [1])])


def main():
    out = sys.argv[1]
    save(invert_in_holes("lama_dynamic", 0, 0, 1.0), out + "/lama_dynamic.onnx")
    save(invert_in_holes("lama_fixed512", 512, 512, 255.0), out + "/lama_fixed512.onnx")
    save(four_channel(), out + "/four_channel.onnx")
    save(migan_like(), out + "/migan_like.onnx")


if __name__ == "__main__":
    main()
