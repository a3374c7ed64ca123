#!/usr/bin/env python3
"""White-box's generator + guided filter (tools/bench_pytorch.py's PyTorch build of the
same TF.js weights) exported to ONNX, so ONNX Runtime can be timed on the same graph as
toonbox (tools/bench_cpu_ort.sh). NCHW float32 RGB in [-1, 1], fixed H x W.

    tools/export_whitebox_onnx.py --weights ../shared/models/whitebox-cartoon/tfjs-float16 \
        --size 512 --out /tmp/whitebox-512.onnx

The file is derived from the weights: test data, not to be committed.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_pytorch import WhiteBox, check_topology, read_tfjs_weights  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", required=True, help="a White-box TF.js folder (model.json + shard)")
    ap.add_argument("--size", type=int, default=512, help="square side the graph is fixed at")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    model_json, weights = read_tfjs_weights(a.weights)
    check_topology(model_json)
    model = WhiteBox(weights).eval()
    x = torch.zeros(1, 3, a.size, a.size)
    with torch.no_grad():
        torch.onnx.export(model, x, a.out, input_names=["x"], output_names=["y"], opset_version=13)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
