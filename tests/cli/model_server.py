#!/usr/bin/env python3
"""A tiny HTTP file server for the `models download` tests: serves ROOT, answers Range
requests with 206 (python's http.server does not), logs each request, and misbehaves on
demand. Before each request it reads MODE_FILE (a word, rewritten by the test between
runs):
  ""              normal
  "drop-half"     a full-file response announces the whole Content-Length, sends half of the
                  bytes and closes the connection (a download broken in the middle)
  "ignore-range"  answers a Range request with 200 and the whole file
  "stall"         sends the headers and 10 bytes, then nothing for 30 s (a stalled server)
usage: model_server.py ROOT PORT_FILE MODE_FILE LOG_FILE   (prints nothing; the port goes to PORT_FILE)
"""
import http.server, os, re, sys, time

root, port_file, mode_file, log_file = sys.argv[1:5]


def mode():
    try:
        return open(mode_file).read().strip()
    except OSError:
        return ""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        rng = self.headers.get("Range", "")
        with open(log_file, "a") as log:
            log.write(f"GET {self.path} range={rng or '-'} mode={mode() or '-'}\n")
        path = os.path.realpath(os.path.join(root, self.path.lstrip("/")))
        if not path.startswith(os.path.realpath(root) + os.sep) or not os.path.isfile(path):
            body = b"not found\n"
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        data = open(path, "rb").read()
        m = re.fullmatch(r"bytes=(\d+)-", rng)
        if m and mode() != "ignore-range":
            start = int(m.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            self.wfile.write(data[start:])
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if mode() == "stall":
            self.wfile.write(data[:10])
            self.wfile.flush()
            time.sleep(30)
            return
        if mode() == "drop-half":
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(data)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
