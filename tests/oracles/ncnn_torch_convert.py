"""Loads ncnn weights (.param + .bin, read by ncnn_files.py) into the PyTorch modules of
ncnn_torch_archs.py.

The module's weighted layers, in definition order, are paired with the ncnn layers that
have weights, in file order; each pair must agree in kind (Conv2d with Convolution, or
with InnerProduct for a 1x1 conv on pooled values; ConvTranspose2d with Deconvolution;
PReLU; InstanceNorm2d with InstanceNorm) and in every size, stride and padding, and the
.bin must be used up exactly. So a file that does not hold the architecture fails here
instead of producing a plausible-looking output.
"""
import numpy as np
import torch
from torch import nn

from ncnn_files import WeightFile, read_param

WEIGHTED = ("Convolution", "Deconvolution", "InnerProduct", "PReLU", "InstanceNorm")


def _expect(cond, what):
    if not cond:
        raise ValueError(what)


def _conv_checks(layer, mod, what):
    k = mod.kernel_size
    _expect(layer.get(0, 0) == mod.out_channels, "%s: num_output %s vs %d" % (what, layer.get(0, 0), mod.out_channels))
    _expect((layer.get(11, layer.get(1, 0)), layer.get(1, 0)) == tuple(k), "%s: kernel vs %s" % (what, k))
    _expect((layer.get(13, layer.get(3, 1)), layer.get(3, 1)) == tuple(mod.stride), "%s: stride vs %s" % (what, mod.stride))
    pad = layer.get(4, 0)
    _expect((layer.get(14, pad), pad) == tuple(mod.padding), "%s: padding %s vs %s" % (what, pad, mod.padding))
    _expect(layer.get(6, 0) == mod.weight.numel(), "%s: weight_data_size %s vs %d" % (what, layer.get(6, 0), mod.weight.numel()))
    _expect(layer.get(5, 0) == (1 if mod.bias is not None else 0), "%s: bias_term" % what)


def _load(layer, mod, wf):
    what = "ncnn layer %s (%s) for %s" % (layer.name, layer.type, type(mod).__name__)
    with torch.no_grad():
        if isinstance(mod, nn.Conv2d) and layer.type == "Convolution":
            _conv_checks(layer, mod, what)
            mod.weight.copy_(torch.from_numpy(wf.load(mod.weight.numel(), 0).reshape(mod.weight.shape)))
            mod.bias.copy_(torch.from_numpy(wf.load(mod.out_channels, 1)))
        elif isinstance(mod, nn.Conv2d) and layer.type == "InnerProduct":
            _expect(tuple(mod.kernel_size) == (1, 1), what + ": only 1x1 convs are inner products")
            _expect(layer.get(0, 0) == mod.out_channels and layer.get(2, 0) == mod.weight.numel(), what + ": sizes")
            _expect(layer.get(1, 0) == 1, what + ": bias_term")
            mod.weight.copy_(torch.from_numpy(wf.load(mod.weight.numel(), 0).reshape(mod.weight.shape)))
            mod.bias.copy_(torch.from_numpy(wf.load(mod.out_channels, 1)))
        elif isinstance(mod, nn.ConvTranspose2d) and layer.type == "Deconvolution":
            _conv_checks(layer, mod, what)
            # ncnn stores [out][in][kh][kw]; PyTorch's ConvTranspose2d weight is [in][out][kh][kw].
            o, i, kh, kw = mod.out_channels, mod.in_channels, mod.kernel_size[0], mod.kernel_size[1]
            w = wf.load(o * i * kh * kw, 0).reshape(o, i, kh, kw).transpose(1, 0, 2, 3)
            mod.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
            mod.bias.copy_(torch.from_numpy(wf.load(o, 1)))
        elif isinstance(mod, nn.PReLU) and layer.type == "PReLU":
            _expect(layer.get(0, 0) == mod.num_parameters, what + ": num_slope")
            mod.weight.copy_(torch.from_numpy(wf.load(mod.num_parameters, 1)))
        elif isinstance(mod, nn.InstanceNorm2d) and layer.type == "InstanceNorm":
            _expect(layer.get(0, 0) == mod.num_features, what + ": channels")
            _expect(abs(layer.get_float(1, 0.001) - mod.eps) < 1e-9, what + ": eps")
            _expect(layer.get(2, 1) == 1, what + ": affine")
            mod.weight.copy_(torch.from_numpy(wf.load(mod.num_features, 1)))
            mod.bias.copy_(torch.from_numpy(wf.load(mod.num_features, 1)))
        else:
            raise ValueError(what + ": the kinds do not match")


def load_ncnn(model, param_path, bin_path):
    """Fills `model`'s weights from the ncnn files; returns the parsed ncnn layers."""
    layers = read_param(param_path)
    ncnn_weighted = [l for l in layers if l.type in WEIGHTED]
    mods = [m for m in model.modules()
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.PReLU, nn.InstanceNorm2d))]
    _expect(len(mods) == len(ncnn_weighted),
            "the architecture has %d weighted layers, the ncnn file %d" % (len(mods), len(ncnn_weighted)))
    wf = WeightFile(bin_path)
    for layer, mod in zip(ncnn_weighted, mods):
        _load(layer, mod, wf)
    _expect(wf.at_end(), "%d bytes of %s left over" % (len(wf.data) - wf.off, bin_path))
    model.eval()
    return layers
