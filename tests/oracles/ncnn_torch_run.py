"""PyTorch oracle for the shared ncnn models: the published architecture
(ncnn_torch_archs.py) with the ncnn file's weights (ncnn_torch_convert.py), on the CPU.

  python3 ncnn_torch_run.py ARCH PARAM BIN IN OUT.f32 [--png OUT.png]

ARCH    srvgg-x4 | srvgg-x3 | srvgg-x2  realesr-animevideov3 (x2/x3: the x4 network, then
                                        the bicubic downscale the ncnn params end with)
        cugan-2x                        Real-CUGAN 2x (the se models)
        transformer                     fast neural style TransformerNet
IN      FILE.f32:1,3,H,W  the network's input tensor (float32 NCHW, as the model takes
                          it): OUT is the network's raw output
        an image file     the authors' whole contract: RGB, the model's value range
                          (0..1; TransformerNet 0..255), Real-CUGAN's reflect padding and
                          crop; OUT is the output in the same range, NCHW
Prints {"shape": [...], "file": OUT}. --png also writes the output as an 8-bit image.
"""
import json
import sys

import numpy as np
import torch
from torch.nn import functional as F

import ncnn_torch_archs as archs
from ncnn_torch_convert import load_ncnn


def build(arch, param, bin_path):
    if arch.startswith("srvgg-x"):
        model = archs.SRVGGNetCompact()
    elif arch == "cugan-2x":
        model = archs.UpCunet2x()
    elif arch == "transformer":
        model = archs.TransformerNet()
    else:
        raise SystemExit("unknown ARCH %r" % arch)
    layers = load_ncnn(model, param, bin_path)
    outscale = None
    if arch in ("srvgg-x2", "srvgg-x3"):
        # The x2/x3 params end with Interp resize_type 3 (bicubic) at 0.5 / 0.75; ncnn's
        # sizes are (int)(in * scale), its taps PyTorch's bicubic (A = -0.75, half-pixel
        # centres, edge clamp).
        last = layers[-1]
        if last.type != "Interp" or last.get(0, 0) != 3:
            raise SystemExit("%s: expected the param to end with a bicubic Interp" % param)
        outscale = last.get_float(1, 1.0)
        if abs(outscale * 4 - int(arch[-1])) > 1e-6:
            raise SystemExit("%s: its Interp scale %g does not make %s" % (param, outscale, arch))
    return model, outscale


def run_network(model, outscale, x):
    with torch.no_grad():
        y = model(x)
        if outscale is not None:
            h = int(np.float32(y.shape[2]) * np.float32(outscale))
            w = int(np.float32(y.shape[3]) * np.float32(outscale))
            y = F.interpolate(y, size=(h, w), mode="bicubic", align_corners=False)
    return y


def read_tensor(spec):
    path, dims = spec.rsplit(":", 1)
    shape = [int(d) for d in dims.split(",")]
    return torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(shape).copy())


def run_image(arch, model, outscale, path):
    from PIL import Image  # only the image mode needs Pillow

    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)
    x = torch.from_numpy(rgb.transpose(2, 0, 1)[None].copy())
    if arch == "transformer":  # 0..255 in and out
        return run_network(model, outscale, x), 255.0
    x = x / 255.0
    if arch == "cugan-2x":
        h, w = x.shape[2], x.shape[3]
        return archs.cugan_crop(run_network(model, outscale, archs.cugan_pad(x)), h, w), 1.0
    return run_network(model, outscale, x), 1.0


def main():
    args = sys.argv[1:]
    png = None
    if "--png" in args:
        i = args.index("--png")
        png = args[i + 1]
        del args[i:i + 2]
    if len(args) != 5:
        raise SystemExit(__doc__)
    arch, param, bin_path, src, out = args
    torch.set_num_threads(2)
    model, outscale = build(arch, param, bin_path)
    if src.endswith(".f32") or ".f32:" in src:
        y, full = run_network(model, outscale, read_tensor(src)), (255.0 if arch == "transformer" else 1.0)
    else:
        y, full = run_image(arch, model, outscale, src)
    y = y.contiguous().numpy().astype("<f4")
    y.tofile(out)
    if png:
        from PIL import Image

        img = np.clip(np.round(y[0].transpose(1, 2, 0) * (255.0 / full)), 0, 255).astype(np.uint8)
        Image.fromarray(img).save(png)
    print(json.dumps({"shape": list(y.shape), "file": out}))


if __name__ == "__main__":
    main()
