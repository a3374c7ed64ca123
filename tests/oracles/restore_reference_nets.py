"""Reference face-restoration nets for the engine tests: builds GPEN, GFPGAN or CodeFormer
(restore_torch_archs.py, the authors' architectures) with seeded random weights, exports
it to ONNX as facefusion's exports take it (input 'input' [1,3,S,S] RGB in [-1,1];
CodeFormer's second input 'weight', float64 [1]; output 'output'), and runs PyTorch on a
seeded input. Nothing here is a trained model: the nets prove the engine runs these
graphs, not what the real weights restore.

  python3 restore_reference_nets.py NET OUT_DIR [--seed N] [--opset N] [--no-run]

NET  gpen           GPEN-BFR FullGenerator at 64 px, narrow 1/16 (32 channels), n_mlp 8
     gpen-512       GPEN-BFR-512 at full size and width (the bench net; ~71M weights)
     gfpgan         GFPGANv1Clean (v1.3/v1.4 configuration) at 64 px, narrow 1/16, the
                    stored noise buffers (randomize_noise=False)
     gfpgan-noise   the same with randomize_noise=True: the export draws its noise with
                    RandomNormalLike; the noise weights are zero here, so every runtime
                    agrees whatever noise it draws (toonbox draws zeros, see docs/models.md)
     codeformer     CodeFormer at 64 px (ch_mult 1,2,2,4, latent 8x8, codebook 64, 2
                    transformer layers of width 64, fuse blocks at 16 and 32)

Writes OUT_DIR/model.onnx, input.f32 (float32 NCHW), weight.f64 (CodeFormer: 0.7),
torch.f32 (PyTorch's output on that input, unless --no-run) and prints
{"onnx":..., "inputs":[{"name","file","shape","dtype"}], "torch": {"file","shape"}}.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import restore_torch_archs as archs  # noqa: E402


def build(net):
    if net == "gpen":
        return archs.GpenFullGenerator(64, 64, 8, channel_multiplier=2, narrow=1 / 16), 64
    if net == "gpen-512":
        return archs.GpenFullGenerator(512, 512, 8, channel_multiplier=2, narrow=1), 512
    if net in ("gfpgan", "gfpgan-noise"):
        model = archs.GFPGANv1Clean(64, num_style_feat=64, channel_multiplier=2, num_mlp=8,
                                    narrow=1 / 16, sft_half=True,
                                    randomize_noise=(net == "gfpgan-noise"))
        return model, 64
    if net == "codeformer":
        return archs.CodeFormer(img_size=64, nf=32, ch_mult=(1, 2, 2, 4), emb_dim=32, dim_embd=64,
                                n_head=4, n_layers=2, codebook_size=64,
                                connect_list=("16", "32")), 64
    raise SystemExit("unknown NET %r\n%s" % (net, __doc__))


def randomize(model, net, gen):
    # Parameters the authors initialise to zero (biases, noise strengths, CodeFormer's
    # position embedding) get small random values so that every path carries signal.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if torch.count_nonzero(p) == 0:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
        if net == "gfpgan-noise":
            for m in model.modules():
                if isinstance(m, archs.StyleConv):
                    m.weight.zero_()


class Wrapper(torch.nn.Module):
    def __init__(self, model, codeformer):
        super().__init__()
        self.model = model
        self.codeformer = codeformer

    def forward(self, x, *weight):
        if self.codeformer:
            return self.model(x, weight[0])
        return self.model(x)


def main():
    args = sys.argv[1:]
    opts = {"--seed": "1", "--opset": "17"}
    run = True
    if "--no-run" in args:
        args.remove("--no-run")
        run = False
    for k in list(opts):
        if k in args:
            i = args.index(k)
            opts[k] = args[i + 1]
            del args[i:i + 2]
    if len(args) != 2:
        raise SystemExit(__doc__)
    net, out_dir = args
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    seed = int(opts["--seed"])
    torch.manual_seed(seed)
    model, size = build(net)
    gen = torch.Generator().manual_seed(seed + 1)
    randomize(model, net, gen)
    model.eval()
    codeformer = net == "codeformer"
    wrapper = Wrapper(model, codeformer).eval()

    x = (torch.rand((1, 3, size, size), generator=gen) * 2 - 1).float()
    inputs = [x]
    names = ["input"]
    if codeformer:
        inputs.append(torch.tensor([0.7], dtype=torch.float64))
        names.append("weight")
    onnx_path = os.path.join(out_dir, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(wrapper, tuple(inputs), onnx_path, input_names=names,
                          output_names=["output"], opset_version=int(opts["--opset"]),
                          do_constant_folding=True, **archs.torchscript_export_kwargs())
    described = []
    for name, t in zip(names, inputs):
        ext = "f64" if t.dtype == torch.float64 else "f32"
        path = os.path.join(out_dir, "%s.%s" % (name, ext))
        t.numpy().astype("<f8" if ext == "f64" else "<f4").tofile(path)
        described.append({"name": name, "file": path, "shape": list(t.shape),
                          "dtype": "float64" if ext == "f64" else "float32"})
    result = {"onnx": onnx_path, "inputs": described}
    if run:
        with torch.no_grad():
            y = wrapper(*inputs)
        y = y.contiguous().numpy().astype("<f4")
        torch_path = os.path.join(out_dir, "torch.f32")
        y.tofile(torch_path)
        result["torch"] = {"file": torch_path, "shape": list(y.shape)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
