#!/usr/bin/env python3
"""Does cuDNN run a conv with 3 input or output channels slowly because 3 is not a
multiple of 8? Times, in PyTorch (cuDNN benchmark mode, fp16, channels_last), White-box's
two 7x7 convs at 1024² as they are and with the channels zero-padded to 4 and 8, and
the narrowing copy a padding would add. A measurement behind a decision (docs/cuda-
backend.md: padding the channels would not help the 32->3 conv), not a test.
Run on the GPU machine: python3 tools/conv_channel_probe.py"""
import torch


def timed(fn, runs=30):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(runs):
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return sorted(times)[len(times) // 2]


torch.backends.cudnn.benchmark = True
dev = torch.device("cuda")
with torch.no_grad():
    for cin, cout in ((32, 3), (32, 4), (32, 8), (3, 32), (4, 32), (8, 32)):
        x = torch.randn(1, cin, 1024, 1024, device=dev, dtype=torch.half).to(memory_format=torch.channels_last)
        conv = torch.nn.Conv2d(cin, cout, 7, padding=3).to(dev).half().to(memory_format=torch.channels_last)
        print(f"conv 7x7 {cin:2d} -> {cout:2d} at 1024² fp16 channels_last: {timed(lambda: conv(x)):.4f} ms")
    y = torch.randn(1, 8, 1024, 1024, device=dev, dtype=torch.half).to(memory_format=torch.channels_last)
    print(f"narrowing copy 8 -> 3 channels: {timed(lambda: y[:, :3].contiguous(memory_format=torch.channels_last)):.4f} ms")
