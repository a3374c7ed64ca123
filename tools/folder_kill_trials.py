#!/usr/bin/env python3
"""Fault test of folder mode (not CI): SIGKILL `toonbox cartoonize DIR -o OUT` at random
moments, N times, rerunning with --skip-existing after each kill, then compare with a
clean run. Checks after every kill: every input byte-identical to before, every output
present is complete (decodes as a whole PNG: signature, chunk CRCs, IEND last); at the
end: every output present, byte-identical to the clean run, no temporary files left.

  python3 tools/folder_kill_trials.py --toonbox build/src/cli/toonbox --trials 100 [--images 24]
"""
import argparse
import hashlib
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

from serve_harness import need_binary, png


def complete_png(path):
    data = open(path, "rb").read()
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return False
    pos, last = 8, b""
    while pos + 12 <= len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if len(body) != n or pos + 12 + n > len(data):
            return False
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            return False
        last, pos = kind, pos + 12 + n
    return last == b"IEND" and pos == len(data)


def digests(folder):
    out = {}
    for root, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            out[os.path.relpath(p, folder)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--toonbox", default="build/src/cli/toonbox")
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--images", type=int, default=24)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    a = ap.parse_args()
    need_binary(a.toonbox)
    toonbox = os.path.abspath(a.toonbox)
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="toonbox-kill-")
    env = dict(os.environ, TOONBOX_MODELS=os.path.join(work, "models"))
    try:
        src = os.path.join(work, "in")
        os.makedirs(src)
        for i in range(a.images):
            w, h = rng.choice([(96, 64), (128, 96), (160, 120)])
            open(os.path.join(src, f"img{i:03d}.png"), "wb").write(png(w, h, i))
        before = digests(src)
        base = [toonbox, "cartoonize", "--model", "classic", "--device", "cpu"]
        clean = os.path.join(work, "clean")
        t0 = time.time()
        subprocess.run(base + [src, "-o", clean], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        clean_s = time.time() - t0
        expected = digests(clean)
        out = os.path.join(work, "out")
        killed_mid_run = finished_first = partial = input_changed = 0
        for trial in range(a.trials):
            p = subprocess.Popen(base + [src, "-o", out, "--skip-existing"], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.02, max(0.05, clean_s * 0.8)))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed_mid_run += 1
            else:
                finished_first += 1
                # Nothing left to do next time: delete some outputs so the next run has work.
                present = sorted(os.listdir(out))
                for f in rng.sample(present, k=max(1, len(present) // 2)):
                    os.remove(os.path.join(out, f))
            p.wait()
            if digests(src) != before:
                input_changed += 1
            for f in os.listdir(out) if os.path.isdir(out) else []:
                if f.endswith(".png") and not complete_png(os.path.join(out, f)):
                    partial += 1
        final = subprocess.run(base + [src, "-o", out, "--skip-existing"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        got = digests(out)
        leftovers = [f for f in got if not f.endswith(".png")]
        outputs = {k: v for k, v in got.items() if k.endswith(".png")}
        identical = outputs == expected
        ok = input_changed == 0 and partial == 0 and not leftovers and identical and final.returncode == 0
        print(f"seed {a.seed}: {a.trials} trials ({killed_mid_run} killed mid-run, {finished_first} finished first), "
              f"{a.images} images; inputs changed: {input_changed}; incomplete outputs seen: {partial}; "
              f"final rerun exit {final.returncode}; outputs {len(outputs)}/{len(expected)} "
              f"{'byte-identical to a clean run' if identical else 'DIFFERENT from a clean run'}; "
              f"temporary files left: {len(leftovers)} {leftovers[:3]}")
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
