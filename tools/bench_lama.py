#!/usr/bin/env python3
"""Times the LaMa architecture (big-lama's FFC ResNet generator, tests/oracles/
inpaint_nets.py, random weights) on toonbox and on PyTorch with the same weights, side by
side:

    tools/bench_lama.py [--device cpu|cuda] [--size 512] [--ngf 64 --blocks 18]
                        [--tests build/tests/toonbox_model_tests] [--runs 5]

ngf 64 and 18 blocks are big-lama itself (219.9 GMAC of convolutions at 512x512,
counted exactly; the script prints an estimate scaled from 1/8 of the side). The network is exported as the dynamic 4-channel form with ONNX DFT nodes into
a temporary folder; toonbox times it through the LamaBench test of toonbox_model_tests
(compute time of one run, input already uploaded: the counterpart of PyTorch's timed
region, one forward pass on an input on the device). PyTorch variants:
  eager-fp32     the module as written (torch.fft), no_grad
  autocast-fp16  CUDA only: torch.autocast(float16); cuFFT and the spectral branch stay
                 fp32 as autocast runs them
toonbox variants: fp32 and, with --device cuda, fp16 (mixed: the Dft ops compute in fp32).
Works with PyTorch 1.13 (CPU) and 2.x (CUDA).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "oracles"))
import inpaint_nets as nets  # noqa: E402
from inpaint_nets_export import export  # noqa: E402  (the TorchScript exporter on any torch)


def count_macs(model, x):
    macs = []

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            k = m.weight[0].numel()
            macs.append(out.numel() * k)
        elif isinstance(m, nn.ConvTranspose2d):
            macs.append(inp[0].numel() * m.weight.shape[1] * m.weight[0, 0].numel())

    hs = [m.register_forward_hook(hook) for m in model.modules()
          if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    with torch.no_grad():
        model(x)
    for h in hs:
        h.remove()
    return sum(macs)


def time_torch(model, x, device, runs, autocast):
    model = model.to(device)
    x = x.to(device)
    times = []
    with torch.no_grad():
        for i in range(runs + 1):
            ctx = torch.autocast("cuda", dtype=torch.float16) if autocast else _null()
            with ctx:
                if device == "cuda":
                    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                    start.record()
                    model(x)
                    end.record()
                    torch.cuda.synchronize()
                    ms = start.elapsed_time(end)
                else:
                    t0 = time.perf_counter()
                    model(x)
                    ms = (time.perf_counter() - t0) * 1000
            if i > 0:  # the first run warms up (cuDNN search, allocator)
                times.append(ms)
    return times


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def time_toonbox(tests, onnx_path, device, precision, size, runs):
    env = dict(os.environ, TOONBOX_LAMA_BENCH_MODEL=onnx_path, TOONBOX_LAMA_BENCH_DEVICE=device,
               TOONBOX_LAMA_BENCH_PRECISION=precision, TOONBOX_LAMA_BENCH_SIZE=str(size),
               TOONBOX_LAMA_BENCH_RUNS=str(runs))
    r = subprocess.run([tests, "--gtest_filter=LamaBench.TimeOnnxModel"], env=env,
                       capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if line.startswith("[ lama-bench ] "):
            return json.loads(line[len("[ lama-bench ] "):])
    return {"error": (r.stdout + r.stderr)[-2000:]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--ngf", type=int, default=64)
    ap.add_argument("--blocks", type=int, default=18)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tests", default=os.path.join(HERE, "..", "build", "tests", "models", "toonbox_model_tests"))
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: default)")
    a = ap.parse_args()
    warnings.filterwarnings("ignore")  # torch 1.13's notes about g.op in the DFT symbolic
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    ref = nets.randomize(nets.LamaGenerator(ngf=a.ngf, n_blocks=a.blocks, fft="torch"), seed=7)
    x = torch.rand((1, 4, a.size, a.size))
    # Every layer's cost is proportional to the pixels: count at 1/8 of the side, scale.
    small = torch.rand((1, 4, a.size // 8, a.size // 8))
    macs = count_macs(ref, small) * 64
    print("LaMa architecture: ngf %d, %d blocks, %dx%d: about %.0f GMAC (convolutions, counted "
          "at 1/8 of the side and scaled; the spectral convs scale slightly less)"
          % (a.ngf, a.blocks, a.size, a.size, macs / 1e9))
    rows = []
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "lama_bench.onnx")
        dft = nets.randomize(nets.LamaGenerator(ngf=a.ngf, n_blocks=a.blocks, fft="dft"), seed=7)
        # The DFT symbolic is written for the TorchScript exporter; torch >= 2.9's default
        # (dynamo) exporter writes dft_length as a computed value instead.
        export(dft, (small,), path, ["input"],
               dynamic={"input": {2: "h", 3: "w"}, "output": {2: "h", 3: "w"}})
        for prec in (["fp32", "fp16"] if a.device == "cuda" else ["fp32"]):
            t = time_toonbox(a.tests, path, a.device, prec, a.size, a.runs)
            rows.append(("toonbox " + prec, t.get("median_ms"), t))
    pt = [("pytorch eager-fp32", False)] + ([("pytorch autocast-fp16", True)] if a.device == "cuda" else [])
    for name, ac in pt:
        times = time_torch(ref, x, a.device, a.runs, ac)
        rows.append((name, statistics.median(times), {"times_ms": times}))
    print("| variant | median ms | details |")
    print("|---|---|---|")
    for name, ms, detail in rows:
        print("| %s | %s | %s |" % (name, "%.2f" % ms if ms is not None else "-", json.dumps(detail)))


if __name__ == "__main__":
    main()
