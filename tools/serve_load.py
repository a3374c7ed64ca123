#!/usr/bin/env python3
"""Throughput and latency of `toonbox serve` under a closed-loop load (not CI; loopback).

N clients, each on its own kept-alive connection, post the same image to
POST /api/v1/cartoonize back to back for S seconds (429/503 honoured: the client waits the
Retry-After, capped at 0.5 s, and the response counts as refused), while one more client
fetches the page and GET /api/v1/status every 0.2 s. Prints one JSON line per client
count: requests/s of 200s, p50/p90/p99 latency of 200s, refusals, other statuses,
transport errors, the page's and status's p50/p99/max; then the server's per-device
status when it lists devices.

  python3 tools/serve_load.py --toonbox build/src/cli/toonbox --image in1024.jpg \\
      --clients 16 --seconds 15 --query 'mode=whole&resolution=full' [--processes 4] [--serve-arg=--device=cuda]
"""
import argparse
import json
import multiprocessing
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
    ap.add_argument("--processes", type=int, default=4,
                    help="client processes the clients are spread over (threads within each)")
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
            print(json.dumps(run(serve, path, body, ctype, clients, a.seconds, a.processes)), flush=True)
        # Per device (several with --device cuda:0,cpu): what each worker did.
        status, _, data, _ = request(serve.port, "GET", "/api/v1/status")
        if status == 200:
            devices = json.loads(data).get("devices")
            if devices:
                print(json.dumps({"devices": devices}), flush=True)
    finally:
        serve.stop()


def client_loop(port, path, body, ctype, end, tally, lock):
    """One client on one kept-alive connection until `end`, counting into `tally`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while time.monotonic() < end:
        status, headers, data, secs = request(port, "POST", path, body, {"Content-Type": ctype}, conn=conn)
        with lock:
            if status == 200:
                tally["ok"].append(secs)
            elif status in (429, 503):
                tally["refused"] += 1
                try:
                    code = json.loads(data).get("error", {}).get("code", "?")
                except ValueError:
                    code = "?"
                tally["why_refused"][code] = tally["why_refused"].get(code, 0) + 1
            elif status == 0:
                tally["errors"] += 1
            else:
                tally["other"][status] = tally["other"].get(status, 0) + 1
        if status in (429, 503):
            time.sleep(min(0.5, float(headers.get("retry-after", "0.1") or 0.1)))
        if status == 0 or headers.get("connection", "").lower() == "close":
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.close()


def process_clients(port, path, body, ctype, clients, end, results):
    """`clients` client threads in this process; their tally goes to `results`."""
    tally = {"ok": [], "refused": 0, "why_refused": {}, "errors": 0, "other": {}}
    lock = threading.Lock()
    threads = [threading.Thread(target=client_loop, args=(port, path, body, ctype, end, tally, lock))
               for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put(tally)


def run(serve, path, body, ctype, clients, seconds, processes):
    # Clients spread over processes: one Python process of threads tops out (its GIL, the
    # response bodies copied in Python) near the rates the server reaches on a GPU, and
    # then the load measures the client.
    processes = max(1, min(processes, clients))
    results = multiprocessing.Queue()
    t0 = time.monotonic()
    end = t0 + seconds
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    procs = [multiprocessing.Process(target=process_clients, args=(serve.port, path, body, ctype, n, end, results))
             for n in shares]
    for p in procs:
        p.start()
    # Meanwhile a browser's view: the page and the status it polls, fetched on a fresh
    # connection every 0.2 s, must stay fast under the load.
    page = {"ms": [], "bad": 0}

    def page_probe():
        n = 0
        while time.monotonic() < end:
            status, _, _, secs = request(serve.port, "GET", "/" if n % 2 == 0 else "/api/v1/status", timeout=30)
            n += 1
            if status == 200:
                page["ms"].append(secs)
            else:
                page["bad"] += 1
            time.sleep(0.2)

    prober = threading.Thread(target=page_probe)
    prober.start()
    tallies = [results.get() for _ in procs]
    prober.join()
    for p in procs:
        p.join()
    wall = time.monotonic() - t0
    ok = [secs for t in tallies for secs in t["ok"]]
    why_refused, other = {}, {}
    for t in tallies:
        for k, v in t["why_refused"].items():
            why_refused[k] = why_refused.get(k, 0) + v
        for k, v in t["other"].items():
            other[k] = other.get(k, 0) + v
    return {"clients": clients, "processes": processes, "seconds": round(wall, 2), "ok": len(ok),
            "req_per_s": round(len(ok) / wall, 1),
            "p50_ms": round(1000 * percentile(ok, 0.5), 1), "p90_ms": round(1000 * percentile(ok, 0.9), 1),
            "p99_ms": round(1000 * percentile(ok, 0.99), 1), "refused_429_503": sum(t["refused"] for t in tallies),
            "refused_why": why_refused, "other": other,
            "transport_errors": sum(t["errors"] for t in tallies), "rss_mb": serve.rss_mb(),
            "page_and_status_gets": len(page["ms"]) + page["bad"], "page_p50_ms": round(1000 * percentile(page["ms"], 0.5), 1),
            "page_p99_ms": round(1000 * percentile(page["ms"], 0.99), 1),
            "page_max_ms": round(1000 * max(page["ms"], default=0), 1), "page_not_200": page["bad"]}


if __name__ == "__main__":
    main()
