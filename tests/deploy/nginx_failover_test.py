#!/usr/bin/env python3
"""Three `toonbox serve` replicas behind nginx (deploy/nginx/toonbox.conf, ports
substituted) on loopback: requests spread over the replicas; one replica SIGKILLed under
load while the others serve on; clients that retry all succeed, and what failed is no
more than the killed replica's in-flight requests (counted from nginx's log); another
replica SIGTERMed under load drains within the documented time and exits 0.
Exit 77 (skip) without nginx. usage: nginx_failover_test.py TOONBOX_BINARY"""
import http.client, os, re, shutil, signal, socket, struct, subprocess, sys, tempfile, threading, time, zlib

toonbox = os.path.realpath(sys.argv[1])
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
if not nginx:
    print("SKIP: nginx not installed (apt-get install -y nginx)")
    sys.exit(77)

passed = failed = 0
def check(cond, what):
    global passed, failed
    if cond: passed += 1; print("ok   - " + what)
    else: failed += 1; print("FAIL - " + what)

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def png(w, h, seed):
    rows = b"".join(b"\x00" + bytes(((x * 7 + seed) % 256, (y * 5) % 256, (x ^ y) % 256)[c] for x in range(w) for c in range(3)) for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))

work = tempfile.mkdtemp(prefix="toonbox-nginx-")
procs = []
def cleanup():
    for p in procs:
        if p.poll() is None: p.kill()
    shutil.rmtree(work, ignore_errors=True)

DRAIN_LIMIT_S = 30  # serve --request-timeout-s below: the documented bound of a drain
env = dict(os.environ, TOONBOX_MODELS=os.path.join(work, "models"), OMP_WAIT_POLICY="passive")
replicas = []  # (process, port)
try:
    for i in range(3):
        log = open(os.path.join(work, f"replica{i}.log"), "w+")
        p = subprocess.Popen([toonbox, "serve", "--device", "cpu", "--model", "classic", "--port", "0",
                              "--queue-size", "64", "--request-timeout-s", str(DRAIN_LIMIT_S)],
                             stdout=log, stderr=subprocess.STDOUT, env=env)
        procs.append(p)
        port = None
        for _ in range(300):
            log.seek(0)
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", log.read())
            if m: port = int(m.group(1)); break
            if p.poll() is not None: break
            time.sleep(0.1)
        if not port:
            log.seek(0); print("FAIL - replica did not start:\n" + log.read()[-2000:]); sys.exit(1)
        replicas.append((p, port))
    ports = [port for _, port in replicas]

    # The shipped config, with this run's ports.
    conf = open(os.path.join(repo, "deploy/nginx/toonbox.conf")).read()
    for default, port in zip((7861, 7862, 7863), ports):
        conf = conf.replace(f"127.0.0.1:{default}", f"127.0.0.1:{port}")
    lb_port = free_port()
    conf = conf.replace("listen 127.0.0.1:8080", f"listen 127.0.0.1:{lb_port}")
    open(os.path.join(work, "toonbox.conf"), "w").write(conf)
    open(os.path.join(work, "nginx.conf"), "w").write(f"""
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format up '$status "$upstream_addr" "$upstream_status" $request_uri';
    access_log {work}/access.log up;
    client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fcgi; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
    include {work}/toonbox.conf;
}}""")
    lb = subprocess.Popen([nginx, "-p", work, "-c", os.path.join(work, "nginx.conf")],
                          stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "nginx.stderr"), "w"))
    procs.append(lb)
    for _ in range(100):
        try: socket.create_connection(("127.0.0.1", lb_port), 0.2).close(); break
        except OSError: time.sleep(0.1)
    else:
        print("SKIP: nginx did not start: " + open(os.path.join(work, "nginx.stderr")).read()[-500:]); sys.exit(77)
    print(f"replicas on {ports}, nginx on {lb_port}")

    image = png(48, 32, 1)
    def request():
        """One POST through nginx: (status, upstream, body-ok) or (None, error, False)."""
        try:
            c = http.client.HTTPConnection("127.0.0.1", lb_port, timeout=60)
            c.request("POST", "/api/v1/cartoonize", body=image, headers={"Content-Type": "image/png"})
            r = c.getresponse(); body = r.read(); c.close()
            good = r.status == 200 and body[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", body[16:24]) == (48, 32)
            return r.status, r.getheader("X-Toonbox-Upstream", ""), good
        except OSError as e:
            return None, str(e), False

    # 1. Requests spread over the replicas.
    served = {}
    lock = threading.Lock()
    def spread_client():
        for _ in range(10):
            status, up, good = request()
            with lock: served[up] = served.get(up, 0) + (1 if good else 0)
    ts = [threading.Thread(target=spread_client) for _ in range(6)]
    [t.start() for t in ts]; [t.join() for t in ts]
    check(sum(served.values()) == 60, f"60 of 60 requests answered with the image ({sum(served.values())})")
    check(all(served.get(f"127.0.0.1:{p}", 0) > 0 for p in ports), f"every replica served some: {served}")

    # 2. SIGKILL one replica under load; clients retry what fails.
    stop = threading.Event()
    results = []  # (attempts, final ok)
    client_failures = []  # (status or error) of attempts that failed, as clients saw them
    def load_client():
        while not stop.is_set():
            for attempt in range(1, 6):
                status, up, good = request()
                if good: break
                with lock: client_failures.append(status if status else up)
                time.sleep(0.2)
            with lock: results.append((attempt, good))
    open(os.path.join(work, "access.log"), "w").close()
    os.kill(lb.pid, signal.SIGUSR1)  # reopen the log: only phase 2 from here
    time.sleep(0.3)
    ts = [threading.Thread(target=load_client) for _ in range(8)]
    [t.start() for t in ts]
    time.sleep(2.0)
    killed, killed_port = replicas[1]
    before = len(results)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    time.sleep(3.0)
    stop.set(); [t.join() for t in ts]
    after = len(results) - before
    lost = [r for r in results if not r[1]]
    check(not lost, f"every request succeeded in the end ({len(results)} requests, {len(lost)} lost)")
    check(after > 20, f"the other replicas served on after the kill ({after} requests in 3 s)")
    # What the kill cost, from nginx's own logs: requests in flight on the killed replica
    # (their connection reset or closed mid-request) and ones sent to it after it died
    # (connection refused, until nginx marked it down); nginx re-sent each to another.
    killed_addr = f"127.0.0.1:{killed_port}"
    errors = [l for l in open(os.path.join(work, "error.log")).read().splitlines() if killed_addr in l]
    in_flight = [l for l in errors if "prematurely closed" in l or "reset by peer" in l]
    refused = [l for l in errors if "Connection refused" in l]
    tried = []  # (addresses tried, their statuses, final status) per request
    for l in open(os.path.join(work, "access.log")).read().splitlines():
        m = re.match(r'(\d+) "([^"]*)" "([^"]*)"', l)
        if m: tried.append((m.group(2).split(", "), m.group(3).split(", "), m.group(1)))
    failed_there = [t for t in tried if any(a == killed_addr and st != "200" for a, st in zip(t[0], t[1]))]
    print(f"      killed replica: {len(in_flight)} request(s) in flight cut off, {len(refused)} refused after it died; "
          f"nginx re-sent {len(failed_there)}; clients saw {len(client_failures)} failure(s) {client_failures[:5]}")
    check(len(failed_there) >= 1 and len(failed_there) == len(in_flight) + len(refused),
          "every request the killed replica did not answer is in nginx's log")
    check(all(t[2] == "200" for t in failed_there), "each of them was answered by another replica")
    check(len(client_failures) <= len(in_flight), "clients lost no more than the killed replica's in-flight requests")
    check(len(in_flight) <= 8, f"in flight on it: {len(in_flight)}, at most the 8 clients")

    # 3. SIGTERM another replica under load: it drains and exits 0 in time; clients see no error.
    stop.clear(); results.clear(); client_failures.clear()
    ts = [threading.Thread(target=load_client) for _ in range(8)]
    [t.start() for t in ts]
    time.sleep(1.5)
    drained, _ = replicas[2]
    t0 = time.time()
    drained.send_signal(signal.SIGTERM)
    code = drained.wait(timeout=DRAIN_LIMIT_S + 30)
    drain_s = time.time() - t0
    time.sleep(1.0)
    stop.set(); [t.join() for t in ts]
    check(code == 0, f"SIGTERM: the replica exited 0 (got {code})")
    check(drain_s <= DRAIN_LIMIT_S, f"SIGTERM: drained in {drain_s:.2f} s (documented bound: --request-timeout-s {DRAIN_LIMIT_S})")
    check(all(ok for _, ok in results) and results, f"SIGTERM: every request succeeded ({len(results)})")
    check(not client_failures, f"SIGTERM: clients saw no failure (draining replica's 503s re-sent by nginx): {client_failures[:5]}")
    check(replicas[0][0].poll() is None, "the last replica still serves")
finally:
    cleanup()
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
