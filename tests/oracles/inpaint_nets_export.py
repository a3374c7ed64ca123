"""Writes the reference inpainting networks (inpaint_nets.py, seeded random weights) as
ONNX in the forms users have, with inputs and PyTorch's outputs, for the model tests:

  python3 inpaint_nets_export.py OUT_DIR [--ngf 8] [--blocks 2] [--size H W] [--only NAME]

OUT_DIR/manifest.json lists every file written:
  lama_matmul.onnx   Carve/LaMa-ONNX form: inputs image [1,3,H,W] (0..1) and mask [1,1,H,W]
                     (1 = remove), output [1,3,H,W] in 0..255; FFTs as MatMul + flip +
                     concat; opset 17; fixed size
  lama_dft17.onnx    the same network and inputs with ONNX DFT nodes, opset 17
  lama_dft20.onnx    the same at opset 20 (DFT's axis as input 2)
  lama_dynamic.onnx  one input "input" [1,4,H,W] (img * (1 - mask) || mask) with dynamic H
                     and W, output [1,3,H,W] in 0..1 (sigmoid); DFT nodes, opset 17
  migan.onnx         MI-GAN-shaped generator: input [1,4,R,R] ([mask - 0.5, image * mask],
                     mask 1 = known, image in [-1,1]), output [1,3,R,R] in [-1,1]
with float32 inputs (*.in.f32) and PyTorch's outputs (*.torch.f32). The network weights
are random: nothing here derives from a trained model.
"""
import argparse
import inspect
import json
import os
import warnings

import numpy as np
import torch

import inpaint_nets as nets


def save_f32(path, t):
    t.detach().numpy().astype("<f4").tofile(path)


def to_opset20(src, dst):
    """DFT-17 -> DFT-20: the axis attribute becomes input 2 (a constant int64 scalar)."""
    import onnx
    from onnx import helper, numpy_helper

    m = onnx.load(src)
    # Ops whose meaning changed after 17 (ConstantOfShape-20 only adds types; ReduceProd-18
    # takes axes as an input, and ours reduce every axis either way).
    changed = {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "Split",
               "Resize"}
    used = {n.op_type for n in m.graph.node} & changed
    if used - {"ReduceProd"}:
        raise SystemExit("opset 20 changes %s: cannot relabel the export" % sorted(used))
    for n in list(m.graph.node):
        if n.op_type == "ReduceProd":  # opset 18: axes became an input; ours reduce all
            keep = [a for a in n.attribute if a.name != "axes"]
            del n.attribute[:]
            n.attribute.extend(keep)
        if n.op_type != "DFT":
            continue
        axis = next(a.i for a in n.attribute if a.name == "axis")
        keep = [a for a in n.attribute if a.name != "axis"]
        del n.attribute[:]
        n.attribute.extend(keep)
        name = n.name + "_axis" if n.name else "dft_axis_%d" % len(m.graph.initializer)
        m.graph.initializer.append(numpy_helper.from_array(np.array(axis, dtype=np.int64), name))
        while len(n.input) < 2:
            n.input.append("")
        n.input.append(name)
    for o in m.opset_import:
        if o.domain in ("", "ai.onnx"):
            o.version = 20
    m.ir_version = 9
    onnx.save(m, dst)


def export(model, args, path, input_names, dynamic=None, opset=17):
    # The TorchScript exporter (the DFT symbolic is written for it); PyTorch >= 2.9
    # defaults to the dynamo one.
    extra = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(model, args, path, input_names=input_names, output_names=["output"],
                      opset_version=opset, do_constant_folding=True, dynamic_axes=dynamic, **extra)


def have_onnx():
    try:
        import onnx  # noqa: F401
        return True
    except ImportError:
        return False


def main():
    warnings.filterwarnings("ignore")  # torch 1.13's deprecation notes about g.op
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--ngf", type=int, default=8)
    ap.add_argument("--blocks", type=int, default=2)
    ap.add_argument("--size", type=int, nargs=2, default=[96, 128])
    ap.add_argument("--dynamic-size", type=int, nargs=2, default=[80, 112],
                    help="the size lama_dynamic is run at (it was exported at --size)")
    ap.add_argument("--migan-res", type=int, default=64)
    ap.add_argument("--only", action="append", help="write only these files (by stem)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    want = lambda stem: not a.only or stem in a.only
    torch.manual_seed(1)
    h, w = a.size
    manifest = {}

    def net(fft, size=None):
        g = nets.LamaGenerator(ngf=a.ngf, n_blocks=a.blocks, fft=fft, size=size)
        g = nets.randomize(g, seed=7)  # one seed: every form has the same weights
        with torch.no_grad():  # spread the sigmoid's input so the output spans 0..1
            g.model[-2].weight.mul_(6.0)
        return g

    gen = torch.Generator().manual_seed(3)
    image = torch.rand((1, 3, h, w), generator=gen)
    mask = torch.zeros((1, 1, h, w))
    mask[:, :, h // 4: h // 2, w // 3: w // 3 + w // 4] = 1  # a box to remove
    mask[:, :, 3 * h // 4:, : w // 5] = 1
    save_f32(os.path.join(a.out, "image.in.f32"), image)
    save_f32(os.path.join(a.out, "mask.in.f32"), mask)

    with torch.no_grad():
        ref = nets.LamaImageMask(net("torch"))
        y = ref(image, mask)
    save_f32(os.path.join(a.out, "lama.torch.f32"), y)
    forms = {"lama_matmul": ("matmul", (h, w)), "lama_dft17": ("dft", None)}
    for stem, (fft, size) in forms.items():
        if not want(stem) and not (stem == "lama_dft17" and want("lama_dft20")):
            continue
        model = nets.LamaImageMask(net(fft, size))
        with torch.no_grad():
            check = model(image, mask)
        err = (check - y).abs().max().item()
        if err > 1e-3:  # 0..255 scale: the spelling must not change the network
            raise SystemExit("%s differs from the torch.fft network by %g" % (stem, err))
        path = os.path.join(a.out, stem + ".onnx")
        export(model, (image, mask), path, ["image", "mask"])
        manifest[stem] = {"file": path, "inputs": {"image": [1, 3, h, w], "mask": [1, 1, h, w]},
                          "torch": os.path.join(a.out, "lama.torch.f32"), "output": [1, 3, h, w]}
    if want("lama_dft20") and not have_onnx():
        manifest["lama_dft20"] = {"skip": "python onnx unavailable (Debian python3-onnx): "
                                          "the opset-20 form is the opset-17 file relabelled"}
    elif want("lama_dft20"):
        path = os.path.join(a.out, "lama_dft20.onnx")
        to_opset20(manifest["lama_dft17"]["file"], path)
        manifest["lama_dft20"] = dict(manifest["lama_dft17"], file=path)

    if want("lama_dynamic"):
        dh, dw = a.dynamic_size
        x = torch.cat([torch.rand((1, 3, dh, dw), generator=gen)] * 1, dim=1)
        m = torch.zeros((1, 1, dh, dw))
        m[:, :, dh // 3: 2 * dh // 3, dw // 4: dw // 2] = 1
        x4 = torch.cat([x * (1 - m), m], dim=1)
        model = net("dft")
        with torch.no_grad():
            yd = net("torch")(x4)
        path = os.path.join(a.out, "lama_dynamic.onnx")
        export(model, (torch.zeros((1, 4, h, w)),), path, ["input"],
               dynamic={"input": {2: "height", 3: "width"}, "output": {2: "height", 3: "width"}})
        save_f32(os.path.join(a.out, "x4.in.f32"), x4)
        save_f32(os.path.join(a.out, "lama_dynamic.torch.f32"), yd)
        manifest["lama_dynamic"] = {"file": path, "inputs": {"input": [1, 4, dh, dw]},
                                    "torch": os.path.join(a.out, "lama_dynamic.torch.f32"),
                                    "output": [1, 3, dh, dw]}

    if want("migan"):
        r = a.migan_res
        img = torch.rand((1, 3, r, r), generator=gen) * 2 - 1
        known = torch.ones((1, 1, r, r))
        known[:, :, r // 4: 3 * r // 4, r // 3: 2 * r // 3] = 0
        xm = torch.cat([known - 0.5, img * known], dim=1)
        model = nets.randomize(nets.MiganGenerator(resolution=r), seed=11)
        with torch.no_grad():
            ym = model(xm)
        path = os.path.join(a.out, "migan.onnx")
        export(model, (xm,), path, ["input"])
        save_f32(os.path.join(a.out, "migan.in.f32"), xm)
        save_f32(os.path.join(a.out, "migan.torch.f32"), ym)
        manifest["migan"] = {"file": path, "inputs": {"input": [1, 4, r, r]},
                             "torch": os.path.join(a.out, "migan.torch.f32"), "output": [1, 3, r, r]}

    inputs = {"image": "image.in.f32", "mask": "mask.in.f32", "input": None}
    for stem, e in manifest.items():
        if "skip" in e:
            continue
        e["input_files"] = {}
        for name in e["inputs"]:
            f = {"lama_dynamic": "x4.in.f32", "migan": "migan.in.f32"}.get(stem) if name == "input" else inputs[name]
            e["input_files"][name] = os.path.join(a.out, f)
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps({"manifest": os.path.join(a.out, "manifest.json")}))


if __name__ == "__main__":
    main()
