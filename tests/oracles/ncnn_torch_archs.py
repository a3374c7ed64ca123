"""The published PyTorch architectures behind the shared ncnn models, written for the
oracles from their authors' definitions (rewritten here, not copied):

  SRVGGNetCompact  xinntao/Real-ESRGAN, realesrgan/archs/srvgg_arch.py
                   (realesr-animevideov3: 64 features, 16 body convs, PReLU, x4)
  UpCunet2x        bilibili/ailab, Real-CUGAN/upcunet_v3.py (UNet1 with the deconv tail,
                   UNet2, SE blocks), its whole-image path (tile_mode 0) without the
                   host-side reflect padding and crop, which the ncnn model also leaves
                   to its caller (see cugan_contract below)
  TransformerNet   pytorch/examples, fast_neural_style/neural_style/transformer_net.py

The modules list their weighted layers in the order the authors define them, which is
the order ncnn's converter wrote them into the .bin; ncnn_torch_convert.py pairs them
one by one, checking kinds and shapes.
"""
import torch
from torch import nn
from torch.nn import functional as F


class SRVGGNetCompact(nn.Module):
    """Conv + activation, num_conv more, a last conv to out_ch * scale^2 channels,
    PixelShuffle, plus the nearest-upsampled input (the network learns the residual)."""

    def __init__(self, in_ch=3, out_ch=3, feat=64, num_conv=16, scale=4):
        super().__init__()
        self.scale = scale
        layers = [nn.Conv2d(in_ch, feat, 3, 1, 1), nn.PReLU(feat)]
        for _ in range(num_conv):
            layers += [nn.Conv2d(feat, feat, 3, 1, 1), nn.PReLU(feat)]
        layers.append(nn.Conv2d(feat, out_ch * scale * scale, 3, 1, 1))
        self.body = nn.Sequential(*layers)
        self.shuffle = nn.PixelShuffle(scale)

    def forward(self, x):
        base = F.interpolate(x, scale_factor=self.scale, mode="nearest")
        return self.shuffle(self.body(x)) + base


class SqueezeExcite(nn.Module):
    """Real-CUGAN's SEBlock: the mean over H and W, 1x1 conv down (ReLU), 1x1 conv up
    (sigmoid), times the input. Its mean is over the whole input, which is why tiles
    of one image must share it."""

    def __init__(self, ch, reduction=8):
        super().__init__()
        self.down = nn.Conv2d(ch, ch // reduction, 1, 1, 0, bias=True)
        self.up = nn.Conv2d(ch // reduction, ch, 1, 1, 0, bias=True)

    def forward(self, x):
        s = x.mean(dim=(2, 3), keepdim=True)
        return x * torch.sigmoid(self.up(F.relu(self.down(s))))


def _lrelu(x):
    return F.leaky_relu(x, 0.1)


class UNetConv(nn.Module):
    """Two unpadded 3x3 convs with LeakyReLU(0.1), optionally an SE block."""

    def __init__(self, in_ch, mid_ch, out_ch, se):
        super().__init__()
        self.c1 = nn.Conv2d(in_ch, mid_ch, 3, 1, 0)
        self.c2 = nn.Conv2d(mid_ch, out_ch, 3, 1, 0)
        self.se = SqueezeExcite(out_ch) if se else None

    def forward(self, x):
        x = _lrelu(self.c2(_lrelu(self.c1(x))))
        return self.se(x) if self.se is not None else x


def _crop(x, n):
    return x[:, :, n:-n, n:-n]


class UNet1(nn.Module):
    def __init__(self, in_ch=3, out_ch=3):
        super().__init__()
        self.conv1 = UNetConv(in_ch, 32, 64, se=False)
        self.conv1_down = nn.Conv2d(64, 64, 2, 2, 0)
        self.conv2 = UNetConv(64, 128, 64, se=True)
        self.conv2_up = nn.ConvTranspose2d(64, 64, 2, 2, 0)
        self.conv3 = nn.Conv2d(64, 64, 3, 1, 0)
        self.conv_bottom = nn.ConvTranspose2d(64, out_ch, 4, 2, 3)  # the 2x model's tail

    def forward(self, x):
        x1 = self.conv1(x)
        x2 = self.conv2(_lrelu(self.conv1_down(x1)))
        x2 = _lrelu(self.conv2_up(x2))
        x3 = _lrelu(self.conv3(_crop(x1, 4) + x2))
        return self.conv_bottom(x3)


class UNet2(nn.Module):
    def __init__(self, in_ch=3, out_ch=3):
        super().__init__()
        self.conv1 = UNetConv(in_ch, 32, 64, se=False)
        self.conv1_down = nn.Conv2d(64, 64, 2, 2, 0)
        self.conv2 = UNetConv(64, 64, 128, se=True)
        self.conv2_down = nn.Conv2d(128, 128, 2, 2, 0)
        self.conv3 = UNetConv(128, 256, 128, se=True)
        self.conv3_up = nn.ConvTranspose2d(128, 128, 2, 2, 0)
        self.conv4 = UNetConv(128, 64, 64, se=True)
        self.conv4_up = nn.ConvTranspose2d(64, 64, 2, 2, 0)
        self.conv5 = nn.Conv2d(64, 64, 3, 1, 0)
        self.conv_bottom = nn.Conv2d(64, out_ch, 3, 1, 0)

    def forward(self, x):
        x1 = self.conv1(x)
        x2 = self.conv2(_lrelu(self.conv1_down(x1)))
        x3 = self.conv3(_lrelu(self.conv2_down(x2)))
        x3 = _lrelu(self.conv3_up(x3))
        x4 = self.conv4(_crop(x2, 4) + x3)
        x4 = _lrelu(self.conv4_up(x4))
        x5 = _lrelu(self.conv5(_crop(x1, 16) + x4))
        return self.conv_bottom(x5)


class UpCunet2x(nn.Module):
    """UNet1, then UNet2 on its output, plus UNet1's output cropped by 20: the network
    upcunet_v3.py runs between its reflect padding and its final crop."""

    def __init__(self):
        super().__init__()
        self.unet1 = UNet1()
        self.unet2 = UNet2()

    def forward(self, x):
        y = self.unet1(x)
        return self.unet2(y) + _crop(y, 20)


def cugan_pad(x):
    """upcunet_v3.py's tile_mode 0 input: reflect-pad 18 on every side, plus 1 on the
    bottom/right of an odd side so the padded core is even."""
    h, w = x.shape[2], x.shape[3]
    return F.pad(x, (18, 18 + (w % 2), 18, 18 + (h % 2)), mode="reflect")


def cugan_crop(y, h, w):
    return y[:, :, :2 * h, :2 * w]


class ConvLayer(nn.Module):
    """Reflection padding of k // 2, then a strided conv."""

    def __init__(self, in_ch, out_ch, k, stride):
        super().__init__()
        self.pad = nn.ReflectionPad2d(k // 2)
        self.conv = nn.Conv2d(in_ch, out_ch, k, stride)

    def forward(self, x):
        return self.conv(self.pad(x))


class UpsampleConvLayer(ConvLayer):
    """Nearest 2x upsampling, then ConvLayer (the distill.pub alternative to deconvs)."""

    def forward(self, x):
        return super().forward(F.interpolate(x, scale_factor=2, mode="nearest"))


class ResidualBlock(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv1 = ConvLayer(ch, ch, 3, 1)
        self.in1 = nn.InstanceNorm2d(ch, affine=True)
        self.conv2 = ConvLayer(ch, ch, 3, 1)
        self.in2 = nn.InstanceNorm2d(ch, affine=True)

    def forward(self, x):
        y = F.relu(self.in1(self.conv1(x)))
        return self.in2(self.conv2(y)) + x


class TransformerNet(nn.Module):
    """Johnson et al.'s fast style transfer network; RGB in 0..255, RGB out ~0..255."""

    def __init__(self):
        super().__init__()
        self.conv1 = ConvLayer(3, 32, 9, 1)
        self.in1 = nn.InstanceNorm2d(32, affine=True)
        self.conv2 = ConvLayer(32, 64, 3, 2)
        self.in2 = nn.InstanceNorm2d(64, affine=True)
        self.conv3 = ConvLayer(64, 128, 3, 2)
        self.in3 = nn.InstanceNorm2d(128, affine=True)
        self.res = nn.Sequential(*[ResidualBlock(128) for _ in range(5)])
        self.deconv1 = UpsampleConvLayer(128, 64, 3, 1)
        self.in4 = nn.InstanceNorm2d(64, affine=True)
        self.deconv2 = UpsampleConvLayer(64, 32, 3, 1)
        self.in5 = nn.InstanceNorm2d(32, affine=True)
        self.deconv3 = ConvLayer(32, 3, 9, 1)

    def forward(self, x):
        y = F.relu(self.in1(self.conv1(x)))
        y = F.relu(self.in2(self.conv2(y)))
        y = F.relu(self.in3(self.conv3(y)))
        y = self.res(y)
        y = F.relu(self.in4(self.deconv1(y)))
        y = F.relu(self.in5(self.deconv2(y)))
        return self.deconv3(y)
