#!/usr/bin/env python3
"""Soak test of `toonbox serve` (not CI; loopback only).

64 clients (default) for N minutes send single-image requests of a few sizes over
kept-alive connections, with jobs and status/health/metrics reads mixed in, honouring
Retry-After (capped at 2 s). The server's RSS is sampled every 5 s. Passes when no
response is outside 2xx/429/503 (and no transport error) and RSS is flat: the growth over
the second half of the run, per 1000 requests, is under --max-growth-mb (default 2).

  python3 tools/soak.py --toonbox build/src/cli/toonbox --minutes 10 [--clients 64]
        [--device cpu|cuda] [--model classic|whitebox|...] [--serve-arg=--queue-size=16 ...]

On the GPU machine: --device cuda --model whitebox (the same criteria; `bash
tools/gpu_check.sh soak`).
"""
import argparse
import json
import random
import threading
import time

from serve_harness import Serve, multipart, need_binary, percentile, png, request
import http.client


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--toonbox", default="build/src/cli/toonbox")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--model", default="classic", help="the server's default model (an installed name or classic)")
    ap.add_argument("--serve-arg", action="append", default=[], help="extra `toonbox serve` argument")
    ap.add_argument("--max-growth-mb", type=float, default=2.0)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    need_binary(a.toonbox)
    serve = Serve(a.toonbox, ["--device", a.device, "--model", a.model, *a.serve_arg])
    port = serve.port
    images = {s: png(w, h, s) for s, (w, h) in enumerate([(64, 48), (128, 128), (200, 150), (320, 240)])}
    bodies = {k: multipart(v, f"soak{k}.png") for k, v in images.items()}

    lock = threading.Lock()
    codes, bad, latencies = {}, [], []
    requests_done = [0]
    stop = time.time() + a.minutes * 60

    def record(kind, status, seconds, detail=""):
        with lock:
            codes[(kind, status)] = codes.get((kind, status), 0) + 1
            requests_done[0] += 1
            if kind == "cartoonize" and status == 200:
                latencies.append(seconds)
            if not (200 <= status < 300 or status in (429, 503)):
                bad.append((kind, status, detail[:200]))

    def client(n):
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
        while time.time() < stop:
            r = rng.random()
            if r < 0.85:
                body, ctype = bodies[rng.randrange(len(bodies))]
                status, headers, data, s = request(port, "POST", "/api/v1/cartoonize?format=png", body,
                                                   {"Content-Type": ctype}, conn=conn)
                record("cartoonize", status, s, headers.get("error", "") + data[:200].decode("latin1"))
            elif r < 0.90:
                body, ctype = bodies[0]
                status, headers, data, s = request(port, "POST", "/api/v1/jobs", body, {"Content-Type": ctype},
                                                   conn=conn)
                record("job", status, s, headers.get("error", "") + data[:200].decode("latin1"))
                if status == 202:
                    job = json.loads(data)["id"]
                    for _ in range(200):
                        st, _, d, _ = request(port, "GET", "/api/v1/jobs/" + job, conn=conn)
                        if st != 200 or json.loads(d).get("state") != "running":
                            break
                        time.sleep(0.1)
                    record("job_poll", st, 0)
            else:
                path = rng.choice(["/health/live", "/health/ready", "/api/v1/status", "/metrics"])
                status, headers, data, s = request(port, "GET", path, conn=conn)
                record("read", status, s, headers.get("error", ""))
            if status == 0 or headers.get("connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
            if status in (429, 503):
                time.sleep(min(2.0, float(headers.get("retry-after", "1") or 1)))
        conn.close()

    samples = []
    t0 = time.time()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(a.clients)]
    for t in threads:
        t.start()
    while time.time() < stop:
        samples.append((time.time() - t0, requests_done[0], serve.rss_mb()))
        time.sleep(5)
    for t in threads:
        t.join(200)
    samples.append((time.time() - t0, requests_done[0], serve.rss_mb()))
    exit_code = serve.stop()

    half = [s for s in samples if s[0] >= a.minutes * 30]
    growth_per_k = 0.0
    if len(half) >= 2 and half[-1][1] > half[0][1]:
        growth_per_k = (half[-1][2] - half[0][2]) / ((half[-1][1] - half[0][1]) / 1000.0)
    rss = [s[2] for s in samples if s[2] is not None]
    ok = not bad and growth_per_k < a.max_growth_mb and exit_code == 0
    summary = {
        "minutes": a.minutes, "clients": a.clients, "device": a.device, "requests": requests_done[0],
        "codes": {f"{k[0]} {k[1]}": v for k, v in sorted(codes.items())},
        "bad_responses": len(bad), "bad_examples": bad[:5],
        "cartoonize_200_p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "cartoonize_200_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "rss_mb_first": round(rss[0], 1) if rss else None, "rss_mb_last": round(rss[-1], 1) if rss else None,
        "rss_mb_max": round(max(rss), 1) if rss else None,
        "rss_growth_mb_per_1000_requests_second_half": round(growth_per_k, 3),
        "rss_mb_by_minute": [round(s[2], 1) for s in samples[::12] if s[2] is not None],
        "requests_by_minute": [s[1] for s in samples[::12]],
        "server_exit": exit_code, "pass": ok,
    }
    print(json.dumps(summary, indent=None if a.json else 1))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
