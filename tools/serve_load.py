#!/usr/bin/env python3
"""Throughput and latency of `toonbox serve` under a closed-loop load (not CI; loopback).

N clients, each on its own kept-alive connection, post the same image to
POST /api/v1/cartoonize back to back for S seconds (429/503 honoured: the client waits the
Retry-After, capped at 0.5 s, and the response counts as refused). Prints one JSON line per
client count: requests/s of 200s, p50/p90/p99 latency of 200s, refusals, other statuses,
transport errors; then the server's per-device status when it lists devices.

  python3 tools/serve_load.py --toonbox build/src/cli/toonbox --image in1024.jpg \\
      --clients 16 --seconds 15 --query 'mode=whole&resolution=full' [--serve-arg=--device=cuda]
"""
import argparse
import json
import threading
import time
import http.client

from serve_harness import Serve, need_binary, percentile, request


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--toonbox", default="build/src/cli/toonbox")
    ap.add_argument("--image", required=True)
    ap.add_argument("--clients", type=int, action="append", help="repeatable: one run per count")
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--query", default="mode=whole&resolution=full")
    ap.add_argument("--serve-arg", action="append", default=[], help="extra `toonbox serve` argument")
    ap.add_argument("--warm-up", type=int, default=8,
                    help="concurrent requests, twice, before the load: every device worker (each stream) compiles")
    a = ap.parse_args()
    need_binary(a.toonbox)
    body = open(a.image, "rb").read()
    ctype = "image/png" if body[:4] == b"\x89PNG" else "image/jpeg"
    serve = Serve(a.toonbox, a.serve_arg)
    path = "/api/v1/cartoonize?" + a.query
    try:
        # Warm-up first: each device worker's compile (and cuDNN search) is not the load's.
        # Two rounds of concurrent requests reach every worker (--streams, several devices).
        warm = []
        for _ in range(2):
            threads = [threading.Thread(target=lambda: warm.append(
                request(serve.port, "POST", path, body, {"Content-Type": ctype}))) for _ in range(max(1, a.warm_up))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        print(json.dumps({"warm_up_statuses": sorted({w[0] for w in warm}),
                          "warm_up_slowest_s": round(max(w[3] for w in warm), 3)}), flush=True)
        for clients in a.clients or [16]:
            print(json.dumps(run(serve, path, body, ctype, clients, a.seconds)), flush=True)
        # Per device (several with --device cuda:0,cpu): what each worker did.
        status, _, data, _ = request(serve.port, "GET", "/api/v1/status")
        if status == 200:
            devices = json.loads(data).get("devices")
            if devices:
                print(json.dumps({"devices": devices}), flush=True)
    finally:
        serve.stop()


def run(serve, path, body, ctype, clients, seconds):
    lock = threading.Lock()
    ok, refused, other, errors, why_refused = [], [0], {}, [0], {}
    end = time.monotonic() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", serve.port, timeout=120)
        while time.monotonic() < end:
            status, headers, data, secs = request(serve.port, "POST", path, body, {"Content-Type": ctype}, conn=conn)
            with lock:
                if status == 200:
                    ok.append(secs)
                elif status in (429, 503):
                    refused[0] += 1
                    try:
                        code = json.loads(data).get("error", {}).get("code", "?")
                    except ValueError:
                        code = "?"
                    why_refused[code] = why_refused.get(code, 0) + 1
                elif status == 0:
                    errors[0] += 1
                else:
                    other[status] = other.get(status, 0) + 1
            if status in (429, 503):
                time.sleep(min(0.5, float(headers.get("retry-after", "0.1") or 0.1)))
            if status == 0 or headers.get("connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", serve.port, timeout=120)
        conn.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    return {"clients": clients, "seconds": round(wall, 2), "ok": len(ok), "req_per_s": round(len(ok) / wall, 1),
            "p50_ms": round(1000 * percentile(ok, 0.5), 1), "p90_ms": round(1000 * percentile(ok, 0.9), 1),
            "p99_ms": round(1000 * percentile(ok, 0.99), 1), "refused_429_503": refused[0], "refused_why": why_refused, "other": other,
            "transport_errors": errors[0], "rss_mb": serve.rss_mb()}


if __name__ == "__main__":
    main()
