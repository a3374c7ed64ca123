#!/usr/bin/env python3
"""Fault test of `toonbox serve` (not CI; loopback only): out of memory fails only the
request that caused it, and the server stays ready.

Memory admission is switched off, and once the server has warmed up its address-space
limit (RLIMIT_AS, set on the running process with prlimit) is put --headroom-mb above
what it uses, so a large image really runs out of memory while it is decoded and
processed (std::bad_alloc, or the backend's allocation failure) instead of being refused
from its header. Then: small requests before and after must succeed, the large one must
be answered 503 out_of_memory, /health/ready must be 200 throughout, the process must
still be running. (The device variant, a CUDA out-of-memory from the backend, is covered
in-process by ServerScheduling.DeviceOutOfMemoryFailsOnlyThatRequest; on the GPU machine
run this with --device cuda and a --limit-gb above the CUDA libraries' reservations.)

  python3 tools/fault_oom.py --toonbox build/src/cli/toonbox [--headroom-mb 256] [--side 10000] [--rounds 3]
"""
import argparse
import json
import resource
import sys

from serve_harness import Serve, multipart, need_binary, png, request, zeros_png


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--toonbox", default="build/src/cli/toonbox")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--headroom-mb", type=int, default=256)
    ap.add_argument("--side", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    need_binary(a.toonbox)
    serve = Serve(a.toonbox, ["--device", a.device, "--model", "classic", "--max-request-mb", "1000000",
                              "--memory-budget-mb", "1000000", "--tile-size", "0", "--max-pixels", "400000000",
                              "--threads", "8"])
    small_body, small_type = multipart(png(64, 48))
    big_body, big_type = multipart(zeros_png(a.side, a.side), "huge.png")
    results = []
    ok = True

    def small(tag):
        st, _, _, s = request(serve.port, "POST", "/api/v1/cartoonize", small_body, {"Content-Type": small_type})
        ready, _, _, _ = request(serve.port, "GET", "/health/ready")
        results.append({"step": tag, "small": st, "ready": ready, "ms": round(s * 1000, 1)})
        print(json.dumps(results[-1]), flush=True)
        return st == 200 and ready == 200

    ok &= small("before")
    with open(f"/proc/{serve.proc.pid}/status") as f:
        vm = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
    limit = vm + a.headroom_mb * (1 << 20)
    resource.prlimit(serve.proc.pid, resource.RLIMIT_AS, (limit, limit))
    print(json.dumps({"step": "limit", "address_space_mb": limit >> 20, "in_use_mb": vm >> 20}), flush=True)
    for r in range(a.rounds):
        st, _, body, s = request(serve.port, "POST", "/api/v1/cartoonize", big_body, {"Content-Type": big_type})
        try:
            err = json.loads(body)["error"]
        except (ValueError, KeyError, TypeError):
            err = {"code": body[:80].decode("latin1")}
        results.append({"step": f"huge {a.side}x{a.side} #{r + 1}", "status": st, "code": err.get("code"),
                        "message": str(err.get("message", ""))[:160], "ms": round(s * 1000, 1),
                        "server_rss_mb": serve.rss_mb()})
        print(json.dumps(results[-1]), flush=True)
        ok &= st == 503 and err.get("code") == "out_of_memory"
        ok &= serve.proc.poll() is None
        ok &= small(f"after huge #{r + 1}")
    alive = serve.proc.poll() is None
    exit_code = serve.stop()
    print(f"server alive after the faults: {alive}; exit on SIGTERM: {exit_code}")
    ok &= alive and exit_code == 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
