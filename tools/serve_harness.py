"""Shared by the soak and fault tools: start `toonbox serve` on a free loopback port,
generated PNGs (no photos), HTTP on loopback only, the server's RSS from /proc."""
import http.client
import os
import re
import struct
import subprocess
import sys
import time
import zlib


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_file(width, height, raw_rows):
    """An 8-bit RGB PNG of the given filtered rows (each starting with its filter byte)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw_rows, 9)) +
            png_chunk(b"IEND", b""))


def png(width, height, seed=0):
    """An RGB PNG with gradients and a block, so the style has edges to work on."""
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            block = width // 3 < x < 2 * width // 3 and height // 3 < y < 2 * height // 3
            row += bytes((30, 40, 200) if block else ((x * 255 // max(1, width - 1) + seed) % 256,
                                                      (y * 255 // max(1, height - 1)) % 256, 120))
        rows.append(bytes(row))
    return png_file(width, height, b"".join(rows))


def zeros_png(width, height):
    """All-black pixels: a few hundred KB for tens of megapixels (a decompression bomb
    that stays under the pixel limit)."""
    return png_file(width, height, (b"\x00" * (1 + width * 3)) * height)


def header_only_png(width, height):
    """A header claiming width x height with almost no pixel data."""
    return png_file(width, height, b"\x00" * 64)


class Serve:
    """`toonbox serve --port 0` as a child process; .port once it listens."""

    def __init__(self, binary, args=(), env=None, preexec=None):
        self.proc = subprocess.Popen([binary, "serve", "--port", "0", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env, preexec_fn=preexec)
        self.port = None
        deadline = time.time() + 60
        self.banner = []
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.banner.append(line.rstrip())
            m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            raise RuntimeError("toonbox serve did not start: " + " | ".join(self.banner) + err)

    def _status_mb(self, field):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith(field):
                        return int(line.split()[1]) / 1024.0
        except OSError:
            pass
        return None

    def rss_mb(self):
        return self._status_mb("VmRSS:")

    def hwm_mb(self):
        """Peak RSS so far."""
        return self._status_mb("VmHWM:")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def multipart(image, filename="a.png", fields=None):
    boundary = "----toonboxsoak%08x" % (hash(filename) & 0xFFFFFFFF)
    parts = []
    for k, v in (fields or {}).items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{filename}"\r\n'
                 f"Content-Type: image/png\r\n\r\n".encode() + image + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def request(port, method, path, body=None, headers=None, timeout=180, conn=None):
    """(status, headers dict, body bytes, seconds); status 0 with the error for transport failures."""
    own = conn is None
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    t0 = time.monotonic()
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data, time.monotonic() - t0
    except Exception as e:  # noqa: BLE001 - a transport failure is a result to count
        return 0, {"error": repr(e)}, b"", time.monotonic() - t0
    finally:
        if own:
            c.close()


def percentile(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(p * (len(s) - 1) + 0.5))]


def need_binary(path):
    if not os.access(path, os.X_OK):
        sys.exit(f"{path}: not an executable (build first: ninja -C build toonbox)")
