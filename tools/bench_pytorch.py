#!/usr/bin/env python3
"""The White-box cartoonization network (UNet generator + guided filter) in PyTorch, built
from the same TF.js weights toonbox runs, timed at the sizes and batches of a
`toonbox bench --json` report, with the ratios toonbox / PyTorch printed side by side.

    tools/bench_pytorch.py --weights ../shared/models/whitebox-cartoon/tfjs-float16 \
        --toonbox-json bench.json [--check-photo PHOTO --toonbox build/src/cli/toonbox]

Variants (each where it can run; what cannot is printed with the reason):
  eager-fp32     the module as a user writes it; on a GPU cuDNN may use TF32 (PyTorch's
                 default for convolutions) and cudnn.benchmark is on
  half-cl        .half() and channels_last, input likewise
  compile        torch.compile(half-cl, mode=--compile-mode), only at --compile-sizes
                 (each new shape compiles for tens of seconds); absent before PyTorch 2.0

The timed region is one forward pass on an input already on the device (CUDA events on a
GPU, perf_counter on the CPU): the counterpart of toonbox's device time (warm_ms.compute).
--check-photo runs the photo through this network in fp32 and through
`toonbox cartoonize --device cpu` and prints the PSNR between the two (>= 40 dB required,
exit 1 otherwise), so the ratios compare the same computation.

Works with PyTorch 1.13 (Debian, CPU) and 2.x (CUDA). Reads the weights with numpy only;
nothing is written next to them.
"""
import argparse
import base64
import copy
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------- TF.js weights


def read_tfjs_weights(folder):
    """{name: np.ndarray} from model.json's weightsManifest and its shard files."""
    with open(os.path.join(folder, "model.json")) as f:
        model = json.load(f)
    weights = {}
    for group in model["weightsManifest"]:
        data = b"".join(open(os.path.join(folder, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            count = int(np.prod(w["shape"])) if w["shape"] else 1
            q = w.get("quantization")
            if q and q["dtype"] == "float16":
                raw = np.frombuffer(data, np.float16, count, offset).astype(np.float32)
                offset += 2 * count
            elif q and q["dtype"] == "uint8":
                raw = np.frombuffer(data, np.uint8, count, offset).astype(np.float32) * q["scale"] + q["min"]
                offset += count
            elif w["dtype"] == "int32":
                raw = np.frombuffer(data, np.int32, count, offset)
                offset += 4 * count
            elif w["dtype"] == "float32":
                raw = np.frombuffer(data, np.float32, count, offset)
                offset += 4 * count
            else:
                raise ValueError(f"{folder}: weight {w['name']}: dtype {w['dtype']} / {q} not handled")
            weights[w["name"]] = raw.reshape(w["shape"])
        if offset != len(data):
            raise ValueError(f"{folder}: shards hold {len(data)} bytes, the manifest describes {offset}")
    return model, weights


def check_topology(model):
    """The graph must be the one built below: every conv fused with a bias only."""
    for node in model["modelTopology"]["node"]:
        if node["op"] == "_FusedConv2D":
            fused = node.get("attr", {}).get("fused_ops", {}).get("list", {}).get("s", [])
            ops = [base64.b64decode(s).decode() for s in fused]
            if ops != ["BiasAdd"]:
                raise ValueError(f"{node['name']}: fused ops {ops}, expected only BiasAdd")


# ---------------------------------------------------------------- the network

CONVS = {  # name: stride (kernel and channels come from the weights)
    "Conv": 1, "Conv_1": 2, "Conv_2": 1, "Conv_3": 2, "Conv_4": 1,
    **{f"block_{i}/conv{j}": 1 for i in range(4) for j in (1, 2)},
    "Conv_5": 1, "Conv_6": 1, "Conv_7": 1, "Conv_8": 1, "Conv_9": 1,
}


def tf_same_pad(x, k, s):
    """TF 'SAME' padding: the excess goes to the bottom/right (asymmetric for stride 2)."""
    h, w = x.shape[-2:]
    ph = max((math.ceil(h / s) - 1) * s + k - h, 0)
    pw = max((math.ceil(w / s) - 1) * s + k - w, 0)
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))


def tf_upsample2x(x):
    """tf.image.resize_bilinear(x, 2x) with align_corners=False, half_pixel_centers=False
    (the TF1 default the model was trained with): out[2k] = in[k], out[2k+1] = the mean of
    in[k] and in[k+1] (the last row repeated). Not F.interpolate, whose half-pixel centres
    shift the picture by a quarter pixel."""
    for dim in (2, 3):
        n = x.shape[dim]
        nxt = torch.cat([x.narrow(dim, 1, n - 1), x.narrow(dim, n - 1, 1)], dim)
        x = torch.stack([x, (x + nxt) * 0.5], dim=dim + 1).flatten(dim, dim + 1)
    return x


class WhiteBox(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.convs = nn.ModuleDict()
        self.strides = {}
        for name, stride in CONVS.items():
            k = w[f"generator/{name}/weights"]  # HWIO
            conv = nn.Conv2d(k.shape[2], k.shape[3], k.shape[0], stride=stride,
                             padding=k.shape[0] // 2 if stride == 1 else 0)
            conv.weight.data = torch.from_numpy(np.ascontiguousarray(k.transpose(3, 2, 0, 1)))
            conv.bias.data = torch.from_numpy(w[f"generator/{name}/biases"].copy())
            self.convs[name.replace("/", "_")] = conv
            self.strides[name.replace("/", "_")] = stride
        # The guided filter's box filters and eps, exactly as stored (the 1/9 taps are
        # half-precision numbers in the float16 file, not 1/9).
        def depthwise(name):
            return torch.from_numpy(np.ascontiguousarray(w[name].transpose(2, 3, 0, 1)))  # [C,1,3,3]
        self.register_buffer("box_ones", depthwise("depthwise/filter_in"))
        for i in range(1, 7):
            self.register_buffer(f"box{i}", depthwise(f"depthwise_{i}/filter_in"))
        self.eps = float(w["add/y"])

    def conv(self, name, x):
        c = self.convs[name]
        if self.strides[name] != 1:
            x = tf_same_pad(x, c.kernel_size[0], self.strides[name])
        return c(x)

    def box(self, x, weight):
        return F.conv2d(x, weight.to(x.dtype), padding=1, groups=x.shape[1])

    def forward(self, x):
        lrelu = lambda t: F.leaky_relu(t, 0.2)
        x0 = lrelu(self.conv("Conv", x))
        x1 = lrelu(self.conv("Conv_1", x0))
        x1 = lrelu(self.conv("Conv_2", x1))
        x2 = lrelu(self.conv("Conv_3", x1))
        x2 = lrelu(self.conv("Conv_4", x2))
        for i in range(4):
            x2 = x2 + self.conv(f"block_{i}_conv2", lrelu(self.conv(f"block_{i}_conv1", x2)))
        x2 = lrelu(self.conv("Conv_5", x2))
        x3 = lrelu(self.conv("Conv_6", tf_upsample2x(x2) + x1))
        x3 = lrelu(self.conv("Conv_7", x3))
        x4 = lrelu(self.conv("Conv_8", tf_upsample2x(x3) + x0))
        y = self.conv("Conv_9", x4)
        # Guided filter (r=1): the photo guides the generator's output.
        n = self.box(torch.ones_like(x[:, :1]), self.box_ones)
        mean_x = self.box(x, self.box1) / n
        mean_y = self.box(y, self.box2) / n
        cov_xy = self.box(x * y, self.box3) / n - mean_x * mean_y
        var_x = self.box(x * x, self.box4) / n - mean_x * mean_x
        a = cov_xy / (var_x + self.eps)
        b = mean_y - a * mean_x
        return self.box(a, self.box5) / n * x + self.box(b, self.box6) / n


# ---------------------------------------------------------------- timing


def timed_runs(fn, x, runs, warmup, cuda):
    with torch.no_grad():
        for _ in range(warmup):
            fn(x)
        if cuda:
            torch.cuda.synchronize()
        samples = []
        for _ in range(runs):
            if cuda:
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                fn(x)
                end.record()
                end.synchronize()
                samples.append(start.elapsed_time(end))
            else:
                t0 = time.perf_counter()
                fn(x)
                samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {"n": len(samples), "median": statistics.median(samples),
            "p90": samples[math.ceil(0.9 * len(samples)) - 1], "min": samples[0]}


def make_variant(name, base, compile_mode):
    """(callable, input dtype, memory format) or a string saying why not."""
    if name == "eager-fp32":
        return base, torch.float32, torch.contiguous_format
    half = copy.deepcopy(base).half().to(memory_format=torch.channels_last)
    if name == "half-cl":
        return half, torch.float16, torch.channels_last
    if name == "compile":
        if not hasattr(torch, "compile"):
            return f"torch.compile is not in PyTorch {torch.__version__} (added in 2.0)"
        # Static shapes: each size and batch gets its own specialised, autotuned graph.
        return torch.compile(half, mode=compile_mode, dynamic=False), torch.float16, torch.channels_last
    return f"unknown variant {name}"


# ---------------------------------------------------------------- toonbox's figures


def toonbox_rows(path):
    """{(device kind, precision, size, batch): row} for White-box rows that ran."""
    with open(path) as f:
        report = json.load(f)
    if report.get("schema") != "toonbox.bench/1":
        raise SystemExit(f"{path}: not a toonbox bench report (schema {report.get('schema')!r})")
    rows = {}
    for r in report["results"]:
        if r.get("outcome") != "ok" or "White-box" not in (r.get("model_description") or ""):
            continue
        kind = "cpu" if r["device"] == "cpu" else "cuda"
        rows[(kind, r["precision"], r["size"], r["batch"])] = r
    return report, rows


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "—"


# ---------------------------------------------------------------- the agreement check


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * math.log10(255 ** 2 / mse)


def srgb_pixels(photo):
    """The photo's RGB as toonbox decodes it: EXIF orientation applied and an embedded ICC
    profile converted to sRGB (lcms2 through Pillow's ImageCms, perceptual intent, as
    src/image/icc_profile.cc does), so both networks see the same numbers."""
    import io
    from PIL import Image, ImageCms, ImageOps
    im = ImageOps.exif_transpose(Image.open(photo))
    icc = im.info.get("icc_profile")
    rgb = im.convert("RGB")
    if icc:
        rgb = ImageCms.profileToProfile(rgb, ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.createProfile("sRGB"),
                                        renderingIntent=0, outputMode="RGB")
    return np.asarray(rgb)


def check_photo(model, photo, toonbox, weights, device):
    from PIL import Image
    rgb = srgb_pixels(photo)
    h, w = rgb.shape[:2]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "toonbox.png")
        env = dict(os.environ, TOONBOX_MODELS=os.path.join(tmp, "models"))
        cmd = [toonbox, "cartoonize", photo, "-o", out, "--model", weights, "--device", "cpu", "--precision", "fp32",
               "--mode", "whole", "--resolution", "full", "--tile", "-1"]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"toonbox failed ({done.returncode}): {done.stderr.strip()}")
        theirs = np.asarray(Image.open(out).convert("RGB"))
    # The contract (models/registry.cc): BGR, x/127.5 - 1, H and W edge-padded to
    # multiples of 8, the output cropped, (y + 1) * 127.5 rounded and clamped.
    ph, pw = -(-h // 8) * 8, -(-w // 8) * 8
    x = torch.from_numpy(rgb[:, :, ::-1].astype(np.float32) / 127.5 - 1).permute(2, 0, 1)[None]
    x = F.pad(x, (0, pw - w, 0, ph - h), mode="replicate").to(device)
    with torch.no_grad():
        y = model.to(device)(x)[0, :, :h, :w].permute(1, 2, 0).cpu().numpy()[:, :, ::-1]
    ours = np.clip(np.rint((y + 1) * 127.5), 0, 255).astype(np.uint8)
    return psnr(ours, theirs), int(np.abs(ours.astype(int) - theirs.astype(int)).max()), (w, h)


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", required=True, help="a White-box TF.js folder (model.json + shard)")
    ap.add_argument("--toonbox-json", help="a `toonbox bench --json` report: sizes, batches and its times")
    ap.add_argument("--sizes", default="", help="sides to time (default: the report's, else 512)")
    ap.add_argument("--batch", default="", help="batches to time (default: the report's, else 1)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--runs", type=int, default=0, help="timed runs (default 20 on a GPU, 3 on the CPU)")
    ap.add_argument("--variants", default="eager-fp32,half-cl,compile")
    ap.add_argument("--compile-sizes", default="1024", help="sizes torch.compile is timed at")
    ap.add_argument("--compile-mode", default="max-autotune")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (default: the report's cores, else all)")
    ap.add_argument("--check-photo", help="a photo to compare with toonbox's CPU output (>= 40 dB)")
    ap.add_argument("--toonbox", help="the toonbox binary, for --check-photo")
    ap.add_argument("--json", help="write every figure here (rewritten after each row)")
    args = ap.parse_args()

    device = torch.device(args.device)
    cuda = device.type == "cuda"
    report, rows = toonbox_rows(args.toonbox_json) if args.toonbox_json else ({}, {})
    threads = args.threads or (report.get("machine", {}).get("cpu", {}).get("cores") or os.cpu_count())
    torch.set_num_threads(threads)
    if cuda:
        torch.backends.cudnn.benchmark = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cuda.matmul.allow_tf32 = True
    opts = report.get("options", {})
    sizes = [int(s) for s in args.sizes.split(",") if s] or opts.get("sizes") or [512]
    batches = [int(b) for b in args.batch.split(",") if b] or opts.get("batches") or [1]
    runs = args.runs or (20 if cuda else 3)
    compile_sizes = {int(s) for s in args.compile_sizes.split(",") if s}

    model_json, weights = read_tfjs_weights(args.weights)
    check_topology(model_json)
    base = WhiteBox(weights).eval()
    gpu_name = torch.cuda.get_device_name(device) if cuda else "cpu"
    print(f"PyTorch {torch.__version__} on {gpu_name}, {threads} CPU threads"
          f"{', cuDNN ' + str(torch.backends.cudnn.version()) if cuda else ''}; {runs} timed runs")
    out = {"torch": torch.__version__, "device": gpu_name, "threads": threads, "runs": runs, "rows": [],
           "check": None}

    status = 0
    if args.check_photo:
        if not args.toonbox:
            raise SystemExit("--check-photo needs --toonbox BINARY")
        db, max_abs, (w, h) = check_photo(base, args.check_photo, args.toonbox, args.weights, "cpu")
        ok = db >= 40
        print(f"agreement: PyTorch fp32 (CPU) vs toonbox --device cpu on {os.path.basename(args.check_photo)} "
              f"({w}x{h}): PSNR {db:.1f} dB, max abs {max_abs} -> {'ok' if ok else 'BELOW 40 dB'}")
        out["check"] = {"photo": args.check_photo, "width": w, "height": h, "psnr_db": None if math.isinf(db) else db,
                        "identical": math.isinf(db), "max_abs": max_abs, "ok": ok}
        status = 0 if ok else 1

    base = base.to(device)
    variants = {}
    for name in [v for v in args.variants.split(",") if v]:
        made = make_variant(name, base, args.compile_mode)
        if isinstance(made, str):
            print(f"{name}: not run: {made}")
        else:
            variants[name] = made
    kind = "cuda" if cuda else "cpu"
    header = f"{'size':>6} {'batch':>5} {'variant':<11} {'median ms':>10} {'p90':>9} {'min':>9}  toonbox (same precision)  ratio"
    print(header)
    # torch.compile last: its autotuning can take minutes per shape, and a time limit
    # around this script should cut that, not the eager figures.
    order = [(name, size, batch) for name in variants if name != "compile" for size in sizes for batch in batches]
    order += [("compile", size, batch) for size in sizes for batch in batches
              if "compile" in variants and size in compile_sizes]
    for name, size, batch in order:
        fn, dtype, fmt = variants[name]
        if not cuda and dtype == torch.float16:
            print(f"{size:>6} {batch:>5} {name:<11} skipped: toonbox's CPU backend is fp32 only, nothing to compare")
            continue
        torch.manual_seed(0)
        x = (torch.rand(batch, 3, size, size, device=device) * 2 - 1).to(dtype).to(memory_format=fmt)
        if cuda:
            torch.cuda.reset_peak_memory_stats(device)
        try:
            t = timed_runs(fn, x, runs, warmup=3, cuda=cuda)
        except Exception as e:  # out of memory, an op PyTorch lacks on this device
            print(f"{size:>6} {batch:>5} {name:<11} failed: {type(e).__name__}: {str(e).splitlines()[0]}")
            if cuda:
                torch.cuda.empty_cache()
            continue
        precision = "fp32" if dtype == torch.float32 else "fp16"
        # PyTorch's fp32 on a GPU lets cuDNN multiply in TF32: toonbox's tf32 row is its
        # counterpart where the report has one.
        if cuda and precision == "fp32" and (kind, "tf32", size, batch) in rows:
            precision = "tf32"
        tb = rows.get((kind, precision, size, batch))
        tb_ms = tb["warm_ms"]["compute"]["median"] if tb else None
        # A batch toonbox could not run whole went in smaller calls: its compute median is
        # per call, so scale it to the whole batch (the sequential cost), never compare a
        # one-image call with PyTorch's 16-image batch.
        ran = tb.get("batch_ran") or batch if tb else batch
        if tb_ms and ran < batch:
            tb_ms *= batch / ran
        print(f"{size:>6} {batch:>5} {name:<11} {t['median']:>10.2f} {t['p90']:>9.2f} {t['min']:>9.2f}  "
              f"{(f'{tb_ms:.2f} ms ' + precision) if tb_ms else '—':>24}  {ratio(tb_ms, t['median'])}")
        row = {"size": size, "batch": batch, "variant": name, "precision": precision, "ms": t,
               "peak_memory_bytes": torch.cuda.max_memory_allocated(device) if cuda else None,
               "toonbox_compute_ms": tb_ms, "toonbox_batch_ran": ran, "ratio_toonbox_over_torch": tb_ms / t["median"] if tb_ms else None}
        out["rows"].append(row)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(out, f, indent=1)
        sys.stdout.flush()
    print("ratio = toonbox device time (warm_ms.compute median) / PyTorch forward time; below 1: toonbox is faster.")
    print("Where toonbox ran a batch in smaller calls (its table says 'ran N'), its time is scaled to the whole batch.")
    if cuda:
        print("PyTorch eager-fp32 lets cuDNN use TF32, as its default does: it is set against toonbox's tf32 row where the")
        print("report has one (bench --precision tf32), else against strict fp32 (no TF32).")
    return status


if __name__ == "__main__":
    sys.exit(main())
