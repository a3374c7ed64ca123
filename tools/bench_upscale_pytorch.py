#!/usr/bin/env python3
"""PyTorch side by side for issue 15's speed rows: the published upscaler architectures
(tests/oracles/ncnn_torch_archs.py: Real-ESRGAN's SRVGGNetCompact x4 as in
realesr-animevideov3, Real-CUGAN's UpCunet2x) with the shared ncnn weights when given,
timed the way PyTorch users run them: cudnn.benchmark, channels_last, .half().

  python3 tools/bench_upscale_pytorch.py [--size 1920x1080] [--runs 20] [--compile]
      [--x4 PARAM BIN] [--cugan PARAM BIN] [--toonbox-json BENCH.json]

Prints one line per model and precision: the median of --runs device times (CUDA events
around the forward pass, input already on the GPU), and with --toonbox-json the ratio
against toonbox's compute median for the same model, size and precision from that bench
report. Weights do not change the time; without PARAM/BIN the networks are random.
"""
import argparse
import json
import os
import statistics
import sys

import torch
from torch.nn import functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "oracles"))
import ncnn_torch_archs as archs  # noqa: E402


def build(kind, files):
    model = archs.SRVGGNetCompact() if kind == "x4" else archs.UpCunet2x()
    if files:
        from ncnn_torch_convert import load_ncnn
        load_ncnn(model, files[0], files[1])
    return model.eval()


def time_model(model, x, runs):
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    with torch.no_grad():
        for i in range(runs + 3):
            start.record()
            model(x)
            end.record()
            torch.cuda.synchronize()
            if i >= 3:  # the first calls run cudnn.benchmark's search
                times.append(start.elapsed_time(end))
    return statistics.median(times)


def toonbox_median(report, model_name, w, h, precision):
    """toonbox's compute median (results[].warm_ms.compute.median) for one row."""
    for row in report.get("results", []):
        if row.get("model") == model_name and row.get("precision") == precision and \
                row.get("size") == w and row.get("height") == h and row.get("outcome") == "ok":
            return ((row.get("warm_ms") or {}).get("compute") or {}).get("median")
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--x4", nargs=2, metavar=("PARAM", "BIN"))
    ap.add_argument("--cugan", nargs=2, metavar=("PARAM", "BIN"))
    ap.add_argument("--toonbox-json")
    ap.add_argument("--conv-layouts", action="store_true",
                    help="also time one 3x3 64->64 fp16 conv at the size in NCHW and in NHWC (channels_last)")
    a = ap.parse_args()
    w, h = (int(v) for v in a.size.split("x"))
    torch.backends.cudnn.benchmark = True
    report = json.load(open(a.toonbox_json)) if a.toonbox_json else {}
    names = {"x4": "realesr-animevideov3-x4", "cugan": "realcugan-2x-conservative"}
    print(f"torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, {torch.cuda.get_device_name()}")
    if a.conv_layouts:
        for fmt in (torch.contiguous_format, torch.channels_last):
            conv = torch.nn.Conv2d(64, 64, 3, 1, 1).cuda().half().to(memory_format=fmt)
            x = torch.rand(1, 64, h, w, device="cuda").half().contiguous(memory_format=fmt)
            ms = time_model(conv, x, a.runs)
            name = "NCHW" if fmt == torch.contiguous_format else "NHWC"
            print(f"one conv 3x3 64->64 fp16 {name} {a.size}: {ms:.3f} ms "
                  f"({2 * 64 * 64 * 9 * h * w / ms / 1e9:.0f} TFLOP/s)", flush=True)
    for kind, files in (("x4", a.x4), ("cugan", a.cugan)):
        for precision in ("fp16", "fp32"):
            model = build(kind, files).cuda().to(memory_format=torch.channels_last)
            x = torch.rand(1, 3, h, w, device="cuda")
            if kind == "cugan":
                x = archs.cugan_pad(x)  # the authors' tile_mode 0 padding, as toonbox runs it
            if precision == "fp16":
                model, x = model.half(), x.half()
            x = x.contiguous(memory_format=torch.channels_last)
            variants = [("eager", model)]
            if a.compile:
                variants.append(("compile", torch.compile(model, mode="max-autotune-no-cudagraphs")))
            for label, m in variants:
                ms = time_model(m, x, a.runs)
                ours = toonbox_median(report, names[kind], w, h, precision)
                ratio = f"  toonbox {ours:.2f} ms = {ms / ours:.2f}x faster" if ours else ""
                print(f"{names[kind]:28s} {precision} {label:8s} {a.size}: {ms:8.2f} ms "
                      f"({1000 / ms:6.1f} img/s){ratio}", flush=True)
            del model, x
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
