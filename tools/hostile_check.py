#!/usr/bin/env python3
"""Issue 18's red-team checks as numbers, against any toonbox binary (not CI; loopback
only, bounded in count and time), so a build can be compared with an older one:

  desync     POST /nothing with a 1100-part multipart body carrying smuggled requests:
             responses beyond the first (0 = no desync)
  slowloris  N connections (default 500) sending a header line every 2 s while
             /health/live is probed: probe p50/p99/max, timeouts, slow connections cut
  overload   a no-backoff flood of 8 client processes against a full queue: 429 latency
             p50/p99/p100 (more client processes than cores measure the clients' own
             waiting for a CPU)
  drain      SIGTERM with requests in flight on kept-alive sockets: their Connection
             header, and what a follow-up on the same socket gets
  second     a second serve on the port in use: does it start?
  bombs      images claiming huge sizes: status, time, server memory growth
  bigimage   a 7000x7000 PNG of zeros (143 KB, under the default 50 Mpx): status, time,
             server peak RSS
  corpus     bad inputs (truncated, corrupt, wrong format, zero bytes): clean 4xx errors

  python3 tools/hostile_check.py --toonbox build/src/cli/toonbox [--only desync,slowloris]
"""
import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from serve_harness import Serve, header_only_png, multipart, need_binary, percentile, png, request, zeros_png


def raw(port, data, timeout=10.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    return out


def count_responses(stream):
    return stream.count(b"HTTP/1.1 ") - stream.count(b"HTTP/1.1 100 Continue")


def check_desync(binary):
    s = Serve(binary, ["--device", "cpu", "--model", "classic"])
    try:
        smuggled = b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        body = b"".join(b"--b\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\n" % i + smuggled + b"\r\n"
                        for i in range(1100)) + b"--b--\r\n"
        extra = {}
        for path in ("/nothing", "/", "/api/v1/status"):
            head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode()
            extra[path] = count_responses(raw(s.port, head + body, 10)) - 1
        return {"smuggled_responses": extra, "desync_total": sum(extra.values())}
    finally:
        s.stop()


def check_slowloris(binary, n, seconds):
    s = Serve(binary, ["--device", "cpu", "--model", "classic"])
    try:
        socks = []
        for i in range(n):
            try:
                c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
                c.sendall(b"POST /api/v1/cartoonize HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                c.setblocking(False)
                socks.append(c)
            except OSError:
                break
        stop = time.time() + seconds
        cut = set()

        def dribble():
            k = 0
            while time.time() < stop:
                for i, c in enumerate(socks):
                    if i in cut:
                        continue
                    try:
                        c.send(b"X-Slow-%d: 1\r\n" % k)
                        if c.recv(4096) == b"":
                            cut.add(i)
                    except BlockingIOError:
                        pass
                    except OSError:
                        cut.add(i)
                k += 1
                time.sleep(2)

        t = threading.Thread(target=dribble, daemon=True)
        t.start()
        ms, timeouts = [], 0
        while time.time() < stop:
            st, _, _, sec = request(s.port, "GET", "/health/live", timeout=15)
            if st == 200:
                ms.append(sec * 1000)
            else:
                timeouts += 1
            time.sleep(0.2)
        t.join()
        big = png(128, 96)
        body, ctype = multipart(big)
        st, _, _, sec = request(s.port, "POST", "/api/v1/cartoonize", body, {"Content-Type": ctype}, timeout=60)
        for c in socks:
            c.close()
        return {"slow_connections": len(socks), "seconds": seconds, "probes": len(ms) + timeouts,
                "probe_timeouts_or_errors": timeouts, "probe_p50_ms": round(percentile(ms, 0.5), 2),
                "probe_p99_ms": round(percentile(ms, 0.99), 2), "probe_max_ms": round(max(ms) if ms else 0, 2),
                "slow_connections_cut": len(cut), "real_request_during_attack": st,
                "real_request_s": round(sec, 2)}
    finally:
        s.stop()


def _flood(args):
    """One client process (processes, not threads, so the client's own GIL does not add to
    the latencies): requests without backoff until the deadline."""
    port, body, ctype, stop = args
    lat429, other = [], {}
    while time.time() < stop:
        st, _, _, sec = request(port, "POST", "/api/v1/cartoonize", body, {"Content-Type": ctype}, timeout=60)
        if st == 429:
            lat429.append(sec * 1000)
        else:
            other[st] = other.get(st, 0) + 1
    return lat429, other


def check_overload(binary, seconds=15, clients=8):
    import multiprocessing
    s = Serve(binary, ["--device", "cpu", "--model", "classic", "--queue-size", "4"])
    try:
        body, ctype = multipart(png(256, 256))
        stop = time.time() + seconds
        with multiprocessing.Pool(clients) as pool:
            results = pool.map(_flood, [(s.port, body, ctype, stop)] * clients)
        lat429 = [x for r in results for x in r[0]]
        other = {}
        for r in results:
            for k, v in r[1].items():
                other[k] = other.get(k, 0) + v
        return {"clients": clients, "seconds": seconds, "429s": len(lat429),
                "429_p50_ms": round(percentile(lat429, 0.5), 2), "429_p99_ms": round(percentile(lat429, 0.99), 2),
                "429_p100_ms": round(max(lat429) if lat429 else 0, 2), "other_statuses": other}
    finally:
        s.stop()


def check_drain(binary, sockets=8):
    s = Serve(binary, ["--device", "cpu", "--model", "classic", "--max-batch", "1"])
    body, ctype = multipart(png(700, 500))
    head = (f"POST /api/v1/cartoonize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    conns = []
    for _ in range(sockets):
        c = socket.create_connection(("127.0.0.1", s.port), timeout=120)
        c.sendall(head + body)
        conns.append(c)
    time.sleep(1.0)
    s.proc.send_signal(signal.SIGTERM)
    close_header = keep_alive = 0
    follow = {}
    for c in conns:
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                b = c.recv(65536)
                if not b:
                    break
                data += b
            headers = data.split(b"\r\n\r\n")[0].lower()
            if b"connection: close" in headers:
                close_header += 1
            elif b"keep-alive" in headers:
                keep_alive += 1
            length = 0
            for line in headers.split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            rest = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
            while len(rest) < length:
                b = c.recv(65536)
                if not b:
                    break
                rest += b
            c.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            b = c.recv(65536)
            key = "EOF (closed cleanly)" if not b else b.split(b"\r\n")[0].decode("latin1")
        except ConnectionResetError:
            key = "ECONNRESET"
        except BrokenPipeError:
            key = "EPIPE (closed)"
        except socket.timeout:
            key = "timeout"
        follow[key] = follow.get(key, 0) + 1
        c.close()
    code = s.proc.wait(120)
    return {"in_flight": sockets, "responses_with_connection_close": close_header,
            "responses_saying_keep_alive": keep_alive, "follow_ups_on_the_same_socket": follow, "exit": code}


def check_second(binary):
    a = Serve(binary, ["--device", "cpu", "--model", "classic"])
    try:
        p = subprocess.Popen([binary, "serve", "--port", str(a.port), "--device", "cpu", "--model", "classic"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = p.communicate(timeout=8)
            started = False
        except subprocess.TimeoutExpired:
            started = True
            p.terminate()
            out, err = p.communicate()
        return {"second_started": started, "second_exit": p.returncode, "second_said": (err or out).strip()[-200:]}
    finally:
        a.stop()


def check_bombs(binary):
    s = Serve(binary, ["--device", "cpu", "--model", "classic"])
    try:
        out = []
        for name, data in [("png 60000x60000 header", header_only_png(60000, 60000)),
                           ("png 100000x1 header", header_only_png(100000, 1)),
                           ("png 20000x20000 header", header_only_png(20000, 20000))]:
            hwm0 = s.hwm_mb()
            body, ctype = multipart(data, "bomb.png")
            st, _, resp, sec = request(s.port, "POST", "/api/v1/cartoonize", body, {"Content-Type": ctype})
            out.append({"bomb": name, "status": st, "ms": round(sec * 1000, 1),
                        "peak_rss_growth_mb": round((s.hwm_mb() or 0) - (hwm0 or 0), 1)})
        return out
    finally:
        s.stop()


def check_bigimage(binary, side=7000):
    s = Serve(binary, ["--device", "cpu", "--model", "classic"])
    try:
        data = zeros_png(side, side)
        body, ctype = multipart(data, "zeros.png")
        small_body, small_type = multipart(png(64, 64))
        hwm0 = s.hwm_mb()
        result = {}

        def big():
            st, _, resp, sec = request(s.port, "POST", "/api/v1/cartoonize", body, {"Content-Type": ctype}, timeout=300)
            result.update(status=st, s=round(sec, 2), message=resp[:200].decode("latin1") if st != 200 else "")

        t = threading.Thread(target=big)
        t.start()
        time.sleep(0.5)
        st, _, _, small_s = request(s.port, "POST", "/api/v1/cartoonize", small_body, {"Content-Type": small_type},
                                    timeout=300)
        t.join()
        return {"png_bytes": len(data), "side": side, "status": result.get("status"), "seconds": result.get("s"),
                "message": result.get("message"), "server_peak_rss_mb": s.hwm_mb(), "rss_before_mb": hwm0,
                "small_request_status": st, "small_request_s": round(small_s, 2)}
    finally:
        s.stop()


def bad_inputs(binary, work):
    good_png = png(200, 150)
    src = os.path.join(work, "src.png")
    open(src, "wb").write(good_png)
    files = {}
    for ext in ("jpg", "webp"):
        out = os.path.join(work, "good." + ext)
        subprocess.run([binary, "cartoonize", src, "-o", out, "--device", "cpu", "--model", "classic"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        files[ext] = open(out, "rb").read()
    files["png"] = good_png
    rng = random.Random(18)
    corpus = {"zero bytes": b"", "text": b"hello, not an image", "gif header": b"GIF89a" + b"\x00" * 40}
    for ext, data in files.items():
        for frac in (0.1, 0.3, 0.5, 0.7, 0.9, 0.98):
            corpus[f"{ext} truncated at {int(frac * 100)}%"] = data[:int(len(data) * frac)]
        for k in range(4):
            b = bytearray(data)
            at = len(b) // 3 + k * len(b) // 8
            for i in range(min(200, len(b) - at - 2)):
                b[at + i] = rng.randrange(256)
            corpus[f"{ext} 200 random bytes #{k}"] = bytes(b)
        corpus[f"{ext} header only"] = data[:64]
    return corpus


def check_corpus(binary):
    work = tempfile.mkdtemp(prefix="toonbox-bad-")
    s = Serve(binary, ["--device", "cpu", "--model", "classic"])
    try:
        corpus = bad_inputs(binary, work)
        clean, unclean = 0, []
        for name, data in corpus.items():
            body, ctype = multipart(data, "bad.bin")
            st, _, resp, _ = request(s.port, "POST", "/api/v1/cartoonize", body, {"Content-Type": ctype})
            try:
                is_json_error = st in (400, 413, 415) and "error" in json.loads(resp)
            except ValueError:
                is_json_error = False
            if is_json_error:
                clean += 1
            else:
                unclean.append((name, st))
        alive = s.proc.poll() is None
        return {"bad_inputs": len(corpus), "clean_4xx_errors": clean, "not_clean": unclean, "server_alive": alive}
    finally:
        s.stop()
        subprocess.run(["rm", "-rf", work])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--toonbox", default="build/src/cli/toonbox")
    ap.add_argument("--only", default="desync,slowloris,overload,drain,second,bombs,bigimage,corpus")
    ap.add_argument("--slow", type=int, default=500)
    ap.add_argument("--slow-seconds", type=int, default=30)
    a = ap.parse_args()
    need_binary(a.toonbox)
    binary = os.path.abspath(a.toonbox)
    checks = {"desync": lambda: check_desync(binary), "slowloris": lambda: check_slowloris(binary, a.slow, a.slow_seconds),
              "overload": lambda: check_overload(binary), "drain": lambda: check_drain(binary),
              "second": lambda: check_second(binary), "bombs": lambda: check_bombs(binary),
              "bigimage": lambda: check_bigimage(binary), "corpus": lambda: check_corpus(binary)}
    for name in a.only.split(","):
        t0 = time.time()
        try:
            r = checks[name]()
        except Exception as e:  # noqa: BLE001 - report and go on to the next check
            r = {"error": repr(e)}
        print(json.dumps({"check": name, "s": round(time.time() - t0, 1), **({"result": r} if isinstance(r, list) else r)}),
              flush=True)


if __name__ == "__main__":
    main()
