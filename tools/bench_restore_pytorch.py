#!/usr/bin/env python3
"""A GPEN-BFR-512-architecture face (FullGenerator(512, 512, 8, channel_multiplier=2),
full width, ~71M seeded random weights; tests/oracles/restore_torch_archs.py) timed in
PyTorch and in toonbox on the same ONNX export, side by side.

    tools/bench_restore_pytorch.py [--device cpu|cuda] [--runs N] [--toonbox build/src/cli/toonbox]
                                   [--precision fp32|fp16] [--keep DIR]

PyTorch: one forward pass of the module on an input already on the device (perf_counter
on the CPU, CUDA events on a GPU), eager fp32 (cuDNN may use TF32, PyTorch's default) and
on CUDA also .half(). toonbox: `toonbox bench --task run --model gpen512.onnx --sizes 512
--device D --precision P --json`, its warm device time (warm_ms.compute median). The
ONNX file is written to a temporary folder (or --keep DIR) and removed afterwards. Random
weights: this measures the architecture's cost, not a trained model's output.

Works with PyTorch 1.13 (Debian, CPU) and 2.x (CUDA).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "oracles"))
import restore_torch_archs as archs  # noqa: E402
from bench_pytorch import timed_runs  # noqa: E402  (tools/, this script's folder)


def build(seed):
    torch.manual_seed(seed)
    model = archs.GpenFullGenerator(512, 512, 8, channel_multiplier=2, narrow=1)
    return model.eval()


def time_torch(model, x, runs, device):
    # The same timed region as tools/bench_pytorch.py (CUDA events around one forward),
    # after two warm-up passes (cuDNN autotuning, allocator).
    return timed_runs(model, x, runs, warmup=2, cuda=device == "cuda")["median"]


def time_toonbox(binary, onnx_path, device, precision, runs, work):
    out = os.path.join(work, "bench.json")
    cmd = [binary, "bench", "--task", "run", "--model", onnx_path, "--sizes", "512", "--device", device,
           "--precision", precision, "--runs", str(runs), "--json", out]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(out):
        return None, (r.stderr or r.stdout).strip()[-800:]
    with open(out) as f:
        report = json.load(f)
    for row in report.get("results", []):
        if row.get("outcome") == "ok":
            return row["warm_ms"]["compute"]["median"], ""
        return None, row.get("error") or row.get("outcome")
    return None, "no rows"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--precision", default="fp32", choices=["fp32", "fp16"], help="toonbox's precision")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--toonbox", help="toonbox binary: also time toonbox on the same export")
    ap.add_argument("--keep", help="write the ONNX export here and keep it")
    args = ap.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: PyTorch sees no CUDA device")
    threads = torch.get_num_threads()
    model = build(args.seed)
    gen = torch.Generator().manual_seed(args.seed + 1)
    x = torch.rand((1, 3, 512, 512), generator=gen) * 2 - 1
    rows = []
    work = args.keep or tempfile.mkdtemp(prefix="toonbox_gpen512_")
    os.makedirs(work, exist_ok=True)
    onnx_path = os.path.join(work, "gpen512.onnx")
    try:
        if args.toonbox:
            with torch.no_grad():
                torch.onnx.export(model, (x,), onnx_path, input_names=["input"], output_names=["output"],
                                  opset_version=17, do_constant_folding=True,
                                  **archs.torchscript_export_kwargs())
        dev = torch.device(args.device)
        m, xd = model.to(dev), x.to(dev)
        rows.append(("PyTorch eager fp32", time_torch(m, xd, args.runs, args.device), ""))
        if args.device == "cuda":
            rows.append(("PyTorch eager fp16 (.half())", time_torch(m.half(), xd.half(), args.runs, args.device), ""))
        if args.toonbox:
            ms, why = time_toonbox(args.toonbox, onnx_path, args.device, args.precision, args.runs, work)
            rows.append((f"toonbox {args.device} {args.precision}", ms, why))
    finally:
        if not args.keep:
            for f in os.listdir(work):
                os.remove(os.path.join(work, f))
            os.rmdir(work)
    name = torch.cuda.get_device_name(0) if args.device == "cuda" else f"CPU, {threads} PyTorch threads"
    print(f"GPEN-BFR-512 architecture (random weights), 1x3x512x512, {name}, torch {torch.__version__}")
    for label, ms, why in rows:
        print(f"  {label:32s} {('%.1f ms' % ms) if ms is not None else 'not run: ' + why}")
    print(json.dumps({"device": args.device, "rows": [{"what": l, "ms": ms, "error": w} for l, ms, w in rows]}))


if __name__ == "__main__":
    main()
