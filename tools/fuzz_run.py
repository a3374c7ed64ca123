#!/usr/bin/env python3
"""Long libFuzzer runs of the harnesses in fuzz/ (not CI).

Needs the clang build:
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DTOONBOX_FUZZ=ON \
      -DTOONBOX_BUILD_TESTS=OFF -DTOONBOX_CUDA=OFF && ninja -C build-fuzz
and the seed corpus of the normal build (build/fuzz/corpus, made by `ninja -C build`).

usage: tools/fuzz_run.py [-t SECONDS] [-j HARNESSES_AT_ONCE] [-w WORKERS] [--cpu SECONDS] [HARNESS...]

Each harness runs for SECONDS with WORKERS libFuzzer processes that share one corpus
folder (libFuzzer reloads it, so what one worker finds the others build on), at nice 19
because the machines are shared. The corpus grows in WORK/fuzz-work/<h>, crash inputs land
in WORK/fuzz-artifacts/<h>/, logs in WORK/fuzz-logs/<h>.<worker>.log. A run continues from
whatever corpus WORK already holds, so a harness can be fuzzed on one machine and carried on
another. Prints one line per harness: wall and CPU seconds (user + system of all its
workers, from wait4: at nice 19 a process gets only part of a core, so wall time overstates
the fuzzing done), executions, coverage (cov: edges, ft: features; toonbox's own code only,
the system codecs and protobuf are not instrumented), corpus size, findings and slow units.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ALL = ["jpeg", "png", "webp", "exif", "tfjs", "onnx", "ncnn", "multipart", "query", "http_head"]
REPO = Path(__file__).resolve().parent.parent


def last_int(pattern, text):
    found = re.findall(pattern, text)
    return int(found[-1]) if found else None


class Harness:
    def __init__(self, name, args):
        self.name = name
        self.binary = Path(args.bin) / f"{name}_fuzz"
        self.work = Path(args.work) / "fuzz-work" / name
        self.artifacts = Path(args.work) / "fuzz-artifacts" / name
        self.logs = Path(args.work) / "fuzz-logs"
        self.seeds = [d for d in (Path(args.seeds) / name, REPO / "fuzz" / "regressions" / name) if d.is_dir()]
        self.procs = {}  # pid -> its open log file
        self.log_paths = []  # this run's logs (an earlier run with more workers may have left others)
        self.cpu = 0.0
        self.exit_codes = []
        self.started = None

    def start(self, seconds, workers):
        for d in (self.work, self.artifacts, self.logs):
            d.mkdir(parents=True, exist_ok=True)
        self.started = time.monotonic()
        for w in range(workers):
            self.log_paths.append(self.logs / f"{self.name}.{w}.log")
            log = open(self.log_paths[-1], "w")
            cmd = [str(self.binary), f"-max_total_time={seconds}", "-timeout=20", "-rss_limit_mb=2560",
                   "-max_len=262144", "-print_final_stats=1", f"-artifact_prefix={self.artifacts}/",
                   str(self.work)] + [str(s) for s in self.seeds]
            p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=lambda: os.nice(19))
            self.procs[p.pid] = log

    def cpu_so_far(self):
        """CPU seconds of the finished workers plus what the running ones have used."""
        running = 0.0
        for pid in self.procs:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                running += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, IndexError, ValueError):
                pass
        return self.cpu + running

    def stop(self):
        # libFuzzer ends cleanly on SIGINT: the corpus stays, the final stats are printed.
        for pid in self.procs:
            try:
                os.kill(pid, signal.SIGINT)
            except ProcessLookupError:
                pass

    def reaped(self, pid, status, usage):
        self.procs.pop(pid).close()
        self.cpu += usage.ru_utime + usage.ru_stime
        self.exit_codes.append(os.waitstatus_to_exitcode(status))
        return not self.procs

    def summary(self):
        execs, cov, ft = 0, 0, 0
        for log in self.log_paths:
            text = log.read_text(errors="replace")
            execs += last_int(r"stat::number_of_executed_units: (\d+)", text) or 0
            cov = max(cov, last_int(r"cov: (\d+)", text) or 0)
            ft = max(ft, last_int(r"ft: (\d+)", text) or 0)
        files = [f for f in self.artifacts.iterdir() if f.is_file()]
        # crash-, leak-, oom- and timeout- files are findings; slow-unit- files are inputs that
        # took long once, often only because the machine was busy (rerun them to see).
        findings = [f.name for f in files if f.name.split("-")[0] in ("crash", "leak", "oom", "timeout")]
        slow = [f.name for f in files if f.name.startswith("slow-unit-")]
        return {"harness": self.name, "workers": len(self.exit_codes),
                "wall_s": round(time.monotonic() - self.started), "cpu_s": round(self.cpu),
                "executions": execs, "cov": cov, "ft": ft,
                "corpus": sum(1 for f in self.work.iterdir() if f.is_file()),
                "findings": findings, "slow_units": slow, "exit_codes": sorted(set(self.exit_codes))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("-t", "--seconds", type=int, default=600, help="each harness's run (default 600)")
    ap.add_argument("-j", "--parallel", type=int, default=1, help="harnesses at once (default 1)")
    ap.add_argument("-w", "--workers", type=int, default=1, help="libFuzzer processes per harness (default 1)")
    ap.add_argument("--bin", default=str(REPO / "build-fuzz" / "fuzz"), help="folder of the <h>_fuzz binaries")
    ap.add_argument("--seeds", default=str(REPO / "build" / "fuzz" / "corpus"), help="generated seed corpus")
    ap.add_argument("--work", default=str(REPO / "build-fuzz"), help="folder for fuzz-work, -artifacts, -logs")
    ap.add_argument("--cpu", type=int, help="also stop a harness once its workers have used this many CPU "
                    "seconds (to finish a CPU-time target on a busy machine; set -t high)")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("harnesses", nargs="*", default=ALL)
    args = ap.parse_args()

    pending = [Harness(h, args) for h in args.harnesses]
    for h in pending:
        if not os.access(h.binary, os.X_OK):
            sys.exit(f"missing {h.binary} (build the clang fuzz build first)")
    running, results = {}, []
    while pending or running:
        while pending and len({id(h) for h in running.values()}) < args.parallel:
            h = pending.pop(0)
            h.start(args.seconds, args.workers)
            running.update({pid: h for pid in h.procs})
        pid, status, usage = os.wait4(-1, os.WNOHANG if args.cpu else 0)
        if pid == 0:  # --cpu: nothing ended yet; stop the harnesses that have had their time
            for h in {id(h): h for h in running.values()}.values():
                if h.cpu_so_far() >= args.cpu:
                    h.stop()
            time.sleep(5)
            continue
        h = running.pop(pid, None)
        if h is None:
            continue
        if h.reaped(pid, status, usage):
            r = h.summary()
            results.append(r)
            print(f"{r['harness']:<10} {r['workers']} workers {r['wall_s']:>6}s wall {r['cpu_s']:>6}s cpu  "
                  f"execs {r['executions']:<11} cov {r['cov']:<6} ft {r['ft']:<6} corpus {r['corpus']:<5} "
                  f"findings {len(r['findings'])} slow {len(r['slow_units'])} (exit {r['exit_codes']})", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
