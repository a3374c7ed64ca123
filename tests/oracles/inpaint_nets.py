"""Reference inpainting networks in PyTorch, with random weights, for the LaMa and MI-GAN
tests (inpaint_nets_export.py writes them out as ONNX in every form users have).

LaMa: big-lama's generator as advimman/lama builds it (saicinpainting/training/modules/
ffc.py, FFCResNetGenerator with configs/training/big-lama.yaml: input_nc 4, output_nc 3,
n_downsampling 3, ratio_gin = ratio_gout = 0.75 in the resnet blocks, 0 in the init and
downsampling convs, enable_lfu false, reflect padding, BatchNorm + ReLU, transposed convs
up, sigmoid out), at a reduced width (ngf) and number of blocks. The FourierUnit's
rfftn -> 1x1 conv + BN + ReLU -> irfftn (norm "ortho") is kept exactly; `fft` chooses how
the two transforms are spelled for export:
  "torch"   torch.fft (the reference: what LaMa runs)
  "matmul"  the Carve/LaMa-ONNX spelling: real DFTs as MatMuls with constant cos/sin
            matrices, the inverse's full spectrum rebuilt with flip + concat (fixed size)
  "dft"     ONNX DFT nodes (an autograd Function whose symbolic emits them; torch's
            TorchScript exporter cannot export rfft)

MI-GAN: the generator of Picsart-AI-Research/MI-GAN (lib/model_zoo/migan_inference.py:
encoder of separable convs with lrelu_agc, synthesis with nearest-x2 upsampling times a
[[1,0],[0,0]] pattern and a 4x4 [1,3,3,1] filter, noise constants, toRGB skips) at a
reduced channel base. Its input is [mask - 0.5, image * mask] with image in [-1, 1] and
mask 1 = known; output RGB in [-1, 1].
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# --- the two real 2-D transforms of a FourierUnit, in three spellings ---------------------


def rfft2_torch(x):
    """[B,C,H,W] -> [B,C,H,W/2+1,2] (re, im), norm ortho: what ffc.py computes."""
    f = torch.fft.rfftn(x, dim=(-2, -1), norm="ortho")
    return torch.stack((f.real, f.imag), dim=-1)


def irfft2_torch(y, size):
    return torch.fft.irfftn(torch.complex(y[..., 0], y[..., 1]), s=size, dim=(-2, -1), norm="ortho")


def dft_matrices(n, bins):
    k = np.arange(bins)[:, None] * np.arange(n)[None, :]
    a = 2 * np.pi * (k % n) / n
    return np.cos(a).astype(np.float32), np.sin(a).astype(np.float32)  # [bins, n]


class MatMulRfft2(nn.Module):
    """rfft2 (ortho) as MatMuls: along W x @ [W, K] cos/sin, then along H [H, H] @ (...)."""

    def __init__(self, h, w):
        super().__init__()
        k = w // 2 + 1
        cw, sw = dft_matrices(w, k)
        ch, sh = dft_matrices(h, h)
        self.register_buffer("cw", torch.from_numpy(cw.T.copy()))  # [W, K]
        self.register_buffer("sw", torch.from_numpy(sw.T.copy()))
        self.register_buffer("ch", torch.from_numpy(ch))  # [H, H]
        self.register_buffer("sh", torch.from_numpy(sh))
        self.scale = 1.0 / math.sqrt(h * w)

    def forward(self, x):
        re1 = torch.matmul(x, self.cw)  # e^{-i a} = cos a - i sin a
        im1 = -torch.matmul(x, self.sw)
        re = torch.matmul(self.ch, re1) + torch.matmul(self.sh, im1)
        im = torch.matmul(self.ch, im1) - torch.matmul(self.sh, re1)
        return torch.stack((re * self.scale, im * self.scale), dim=-1)


class MatMulIrfft2(nn.Module):
    """irfft2 (ortho): inverse along H as complex MatMuls, then W's full spectrum rebuilt
    from the K bins by flip + concat (Hermitian symmetry) and a real inverse MatMul."""

    def __init__(self, h, w):
        super().__init__()
        self.w = w
        ch, sh = dft_matrices(h, h)
        cw, sw = dft_matrices(w, w)
        self.register_buffer("ch", torch.from_numpy(ch))
        self.register_buffer("sh", torch.from_numpy(sh))
        self.register_buffer("cw", torch.from_numpy(cw))  # [W (bins), W (samples)]
        self.register_buffer("sw", torch.from_numpy(sw))
        self.scale = 1.0 / math.sqrt(h * w)

    def forward(self, y):
        re, im = y[..., 0], y[..., 1]
        a = torch.matmul(self.ch, re) - torch.matmul(self.sh, im)  # e^{+i a}
        b = torch.matmul(self.ch, im) + torch.matmul(self.sh, re)
        k = a.shape[-1]
        last = k - 1 if self.w % 2 == 0 else k  # bins 1..last-1 mirror to W-1..
        a_full = torch.cat((a, torch.flip(a[..., 1:last], dims=[-1])), dim=-1)
        b_full = torch.cat((b, -torch.flip(b[..., 1:last], dims=[-1])), dim=-1)
        out = torch.matmul(a_full, self.cw) - torch.matmul(b_full, self.sw)
        return out * self.scale


class _DftRfft2(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return rfft2_torch(x)

    @staticmethod
    def symbolic(g, x):
        # Unsqueeze -> DFT(W, onesided) -> DFT(H) -> * 1/sqrt(H W) from the shape, so the
        # same graph serves any size.
        xr = g.op("Unsqueeze", x, g.op("Constant", value_t=torch.tensor([-1])))
        f = g.op("DFT", xr, axis_i=3, onesided_i=1)
        f = g.op("DFT", f, axis_i=2)
        return g.op("Mul", f, _inv_sqrt_hw(g, x))


class _DftIrfft2(torch.autograd.Function):
    @staticmethod
    def forward(ctx, y, like):
        return irfft2_torch(y, like.shape[-2:])

    @staticmethod
    def symbolic(g, y, like):
        # Inverse DFT along H; W's spectrum completed by Hermitian symmetry (bins K-2..1
        # reversed and conjugated: an even W, which LaMa's size multiple guarantees),
        # inverse DFT along W, the real part, and sqrt(H W) to turn 1/(H W) into ortho.
        a = g.op("DFT", y, axis_i=2, inverse_i=1)
        c = lambda v: g.op("Constant", value_t=torch.tensor(v))
        mirror = g.op("Slice", a, c([-2]), c([0]), c([3]), c([-1]))
        mirror = g.op("Mul", mirror, c([1.0, -1.0]))
        full = g.op("Concat", a, mirror, axis_i=3)
        t = g.op("DFT", full, axis_i=3, inverse_i=1)
        re = g.op("Slice", t, c([0]), c([1]), c([4]))
        re = g.op("Squeeze", re, c([4]))
        return g.op("Div", re, _inv_sqrt_hw(g, like))


def _inv_sqrt_hw(g, x):
    # Shape -> Gather(2) * Gather(3) -> Cast -> Sqrt -> Reciprocal: folds for any size.
    shape = g.op("Shape", x)
    dim = lambda i: g.op("Gather", shape, g.op("Constant", value_t=torch.tensor(i)), axis_i=0)
    n = g.op("Cast", g.op("Mul", dim(2), dim(3)), to_i=1)  # float
    return g.op("Reciprocal", g.op("Sqrt", n))


class FourierUnit(nn.Module):
    def __init__(self, in_channels, out_channels, fft="torch", size=None):
        super().__init__()
        self.conv_layer = nn.Conv2d(in_channels * 2, out_channels * 2, 1, bias=False)
        self.bn = nn.BatchNorm2d(out_channels * 2)
        self.relu = nn.ReLU(inplace=True)
        self.fft = fft
        if fft == "matmul":
            h, w = size
            self.rfft = MatMulRfft2(h, w)
            self.irfft = MatMulIrfft2(h, w)

    def forward(self, x):
        batch = x.shape[0]
        if self.fft == "torch":
            ffted = rfft2_torch(x)
        elif self.fft == "matmul":
            ffted = self.rfft(x)
        else:
            ffted = _DftRfft2.apply(x)
        # (batch, c, h, w/2+1, 2) -> (batch, c*2, h, w/2+1): channel 2c + {re, im}
        ffted = ffted.permute(0, 1, 4, 2, 3).contiguous()
        ffted = ffted.view((batch, -1) + ffted.size()[3:])
        ffted = self.relu(self.bn(self.conv_layer(ffted)))
        ffted = ffted.view((batch, -1, 2) + ffted.size()[2:]).permute(0, 1, 3, 4, 2).contiguous()
        if self.fft == "torch":
            return irfft2_torch(ffted, x.shape[-2:])
        if self.fft == "matmul":
            return self.irfft(ffted)
        return _DftIrfft2.apply(ffted, x)


class SpectralTransform(nn.Module):
    def __init__(self, in_channels, out_channels, **fu):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(in_channels, out_channels // 2, 1, bias=False),
                                   nn.BatchNorm2d(out_channels // 2), nn.ReLU(inplace=True))
        self.fu = FourierUnit(out_channels // 2, out_channels // 2, **fu)
        self.conv2 = nn.Conv2d(out_channels // 2, out_channels, 1, bias=False)

    def forward(self, x):  # stride 1, enable_lfu false (big-lama)
        x = self.conv1(x)
        return self.conv2(x + self.fu(x))


class FFC(nn.Module):
    def __init__(self, cin, cout, k, ratio_gin, ratio_gout, stride=1, padding=0, dilation=1, **fu):
        super().__init__()
        in_cg = int(cin * ratio_gin)
        in_cl = cin - in_cg
        out_cg = int(cout * ratio_gout)
        out_cl = cout - out_cg
        self.ratio_gout = ratio_gout

        def conv(i, o):
            if i == 0 or o == 0:
                return None
            return nn.Conv2d(i, o, k, stride, padding, dilation, bias=False, padding_mode="reflect")

        self.convl2l = conv(in_cl, out_cl)
        self.convl2g = conv(in_cl, out_cg)
        self.convg2l = conv(in_cg, out_cl)
        self.convg2g = SpectralTransform(in_cg, out_cg, **fu) if in_cg and out_cg else None

    def forward(self, x):
        x_l, x_g = x if type(x) is tuple else (x, 0)
        out_l, out_g = 0, 0
        apply = lambda m, v: m(v) if m is not None else 0
        if self.ratio_gout != 1:
            out_l = apply(self.convl2l, x_l) + apply(self.convg2l, x_g)
        if self.ratio_gout != 0:
            out_g = apply(self.convl2g, x_l) + apply(self.convg2g, x_g)
        return out_l, out_g


class FFC_BN_ACT(nn.Module):
    def __init__(self, cin, cout, k, ratio_gin, ratio_gout, stride=1, padding=0, dilation=1, **fu):
        super().__init__()
        self.ffc = FFC(cin, cout, k, ratio_gin, ratio_gout, stride, padding, dilation, **fu)
        g = int(cout * ratio_gout)
        self.bn_l = nn.BatchNorm2d(cout - g) if ratio_gout != 1 else nn.Identity()
        self.bn_g = nn.BatchNorm2d(g) if ratio_gout != 0 else nn.Identity()
        self.act_l = nn.ReLU(inplace=True) if ratio_gout != 1 else nn.Identity()
        self.act_g = nn.ReLU(inplace=True) if ratio_gout != 0 else nn.Identity()

    def forward(self, x):
        x_l, x_g = self.ffc(x)
        x_l = self.act_l(self.bn_l(x_l)) if torch.is_tensor(x_l) else x_l
        x_g = self.act_g(self.bn_g(x_g)) if torch.is_tensor(x_g) else x_g
        return x_l, x_g


class FFCResnetBlock(nn.Module):
    def __init__(self, dim, ratio, **fu):
        super().__init__()
        self.conv1 = FFC_BN_ACT(dim, dim, 3, ratio, ratio, padding=1, **fu)
        self.conv2 = FFC_BN_ACT(dim, dim, 3, ratio, ratio, padding=1, **fu)

    def forward(self, x):
        x_l, x_g = x
        y_l, y_g = self.conv2(self.conv1((x_l, x_g)))
        return x_l + y_l, x_g + y_g


class ConcatTupleLayer(nn.Module):
    def forward(self, x):
        x_l, x_g = x
        return torch.cat(x, dim=1) if torch.is_tensor(x_g) else x_l


class LamaGenerator(nn.Module):
    """FFCResNetGenerator(input_nc=4, output_nc=3, n_downsampling=3, add_out_act=sigmoid)
    with big-lama's ratios; ngf=64 and n_blocks=18 is big-lama itself. `size` (H, W of the
    network input) is needed by the fixed-size "matmul" spelling only."""

    def __init__(self, ngf=64, n_blocks=18, fft="torch", size=None, max_features=1024):
        super().__init__()
        ratio = 0.75
        bottleneck = None if size is None else (size[0] // 8, size[1] // 8)
        fu = {"fft": fft, "size": bottleneck}
        model = [nn.ReflectionPad2d(3), FFC_BN_ACT(4, ngf, 7, 0, 0)]
        for i in range(3):
            mult = 2 ** i
            gout = ratio if i == 2 else 0  # the last downsampling feeds the global branch
            model += [FFC_BN_ACT(min(max_features, ngf * mult), min(max_features, ngf * mult * 2),
                                 3, 0, gout, stride=2, padding=1)]
        feats = min(max_features, ngf * 8)
        model += [FFCResnetBlock(feats, ratio, **fu) for _ in range(n_blocks)]
        model += [ConcatTupleLayer()]
        for i in range(3):
            mult = 2 ** (3 - i)
            cin, cout = min(max_features, ngf * mult), min(max_features, ngf * mult // 2)
            model += [nn.ConvTranspose2d(cin, cout, 3, stride=2, padding=1, output_padding=1),
                      nn.BatchNorm2d(cout), nn.ReLU(True)]
        model += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, 3, 7), nn.Sigmoid()]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x)


class LamaImageMask(nn.Module):
    """The two-input form of Carve/LaMa-ONNX: image [B,3,H,W] RGB in 0..1 and mask
    [B,1,H,W] (1 = remove); the generator sees img * (1 - mask) || mask and the result is
    returned in 0..255."""

    def __init__(self, generator):
        super().__init__()
        self.generator = generator

    def forward(self, image, mask):
        x = torch.cat([image * (1 - mask), mask], dim=1)
        return self.generator(x) * 255


# --- MI-GAN --------------------------------------------------------------------------------


class LreluAgc(nn.Module):
    def __init__(self, alpha=0.2, gain=math.sqrt(2), clamp=256):
        super().__init__()
        self.alpha, self.gain, self.clamp = alpha, gain, clamp

    def forward(self, x):
        return (F.leaky_relu(x, self.alpha) * self.gain).clamp(-self.clamp, self.clamp)


def _filter4(gain):
    f = torch.tensor([1.0, 3.0, 3.0, 1.0])
    f = torch.outer(f, f)
    return f / f.sum() * gain


class Downsample2d(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.filter = nn.Conv2d(c, c, 4, groups=c, padding=1, bias=False, stride=2)
        self.filter.weight = nn.Parameter(_filter4(1).repeat(c, 1, 1, 1))
        self.filter._fixed = True  # the authors' fixed [1,3,3,1] filter, kept by randomize()

    def forward(self, x):
        return self.filter(x)


class Upsample2d(nn.Module):
    def __init__(self, c, resolution):
        super().__init__()
        self.nearest_up = nn.Upsample(scale_factor=2, mode="nearest")
        w = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
        self.register_buffer("filter_const", w.repeat(1, 1, resolution // 2, resolution // 2))
        self.filter = nn.Conv2d(c, c, 4, groups=c, bias=False)
        self.filter.weight = nn.Parameter(_filter4(4).repeat(c, 1, 1, 1))
        self.filter._fixed = True

    def forward(self, x):
        x = self.nearest_up(x) * self.filter_const
        return self.filter(F.pad(x, (2, 1, 2, 1)))


class SeparableConv2d(nn.Module):
    def __init__(self, cin, cout, act, resolution=None, use_noise=False, down=1, up=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cin, 3, padding=1, groups=cin)
        self.conv2 = nn.Conv2d(cin, cout, 1, bias=False)
        self.downsample = Downsample2d(cin) if down > 1 else None
        self.upsample = Upsample2d(cout, resolution) if up > 1 else None
        self.use_noise = use_noise
        if use_noise:
            self.register_buffer("noise_const", torch.randn([resolution, resolution]))
            self.noise_strength = nn.Parameter(torch.tensor(0.1))
        self.act = act

    def forward(self, x):
        x = self.act(self.conv1(x))
        if self.downsample is not None:
            x = self.downsample(x)
        x = self.conv2(x)
        if self.upsample is not None:
            x = self.upsample(x)
        if self.use_noise:
            x = x + self.noise_const * self.noise_strength
        return self.act(x)


class MiganGenerator(nn.Module):
    """migan_inference.Generator at `resolution` with channels min(ch_base // res, ch_max)
    (the authors: ch_base 32768, ch_max 512)."""

    def __init__(self, resolution=256, ch_base=2048, ch_max=64):
        super().__init__()
        act = LreluAgc()
        log2 = int(math.log2(resolution))
        ch = lambda r: min(ch_base // r, ch_max)
        self.enc_res = [2 ** i for i in range(log2, 1, -1)]  # res .. 4
        self.fromrgb = nn.Conv2d(4, ch(resolution), 1)
        self.enc = nn.ModuleDict()
        for ri, rj in zip(self.enc_res[:-1], self.enc_res[1:]):
            self.enc[str(ri)] = nn.ModuleList([SeparableConv2d(ch(ri), ch(ri), act),
                                               SeparableConv2d(ch(ri), ch(rj), act, down=2)])
        self.enc["4"] = nn.ModuleList([SeparableConv2d(ch(4), ch(4), act),
                                       SeparableConv2d(ch(4), ch(4), act)])
        self.act = act
        self.b4 = nn.ModuleList([SeparableConv2d(ch(4), ch(4), act),
                                 SeparableConv2d(ch(4), ch(4), act, resolution=4)])
        self.torgb4 = nn.Conv2d(ch(4), 3, 1)
        self.syn = nn.ModuleDict()
        self.syn_res = [2 ** i for i in range(3, log2 + 1)]
        for r in self.syn_res:
            self.syn[str(r)] = nn.ModuleList([
                SeparableConv2d(ch(r // 2), ch(r), act, resolution=r, use_noise=True, up=2),
                SeparableConv2d(ch(r), ch(r), act, resolution=r, use_noise=True),
                nn.Conv2d(ch(r), 3, 1), Upsample2d(3, r)])

    def forward(self, img):
        feats = {}
        x = self.act(self.fromrgb(img))
        for r in self.enc_res:
            c1, c2 = self.enc[str(r)]
            feats[r] = c1(x)
            x = c2(feats[r])
        c1, c2 = self.b4
        x = c2(c1(x) + feats[4])
        out = self.torgb4(x)
        for r in self.syn_res:
            c1, c2, torgb, up = self.syn[str(r)]
            x = c2(c1(x) + feats[r])
            out = up(out) + torgb(x)
        return out


# --- random weights ------------------------------------------------------------------------


def randomize(model, seed):
    """Seeded random weights and BatchNorm statistics, scaled so activations stay O(1)
    through the net (He init for convs; BN with random mean/var/affine)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                if getattr(m, "_fixed", False):
                    continue
                fan_in = m.weight[0].numel() if isinstance(m, nn.Conv2d) else m.weight.shape[0] * m.weight[0, 0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * math.sqrt(2.0 / fan_in) * 0.8)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(c, generator=g) * 0.1)
    model.eval()
    return model
