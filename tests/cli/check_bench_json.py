#!/usr/bin/env python3
"""Checks a `toonbox bench --json` report field by field (schema toonbox.bench/1, as
docs/bench.md describes it) for a run whose configurations all ran on the CPU.
usage: check_bench_json.py REPORT.json EXPECTED_ROWS"""
import json, math, sys

report = json.load(open(sys.argv[1]))
want_rows = int(sys.argv[2])

def need(obj, key, kind, where):
    assert isinstance(obj, dict) and key in obj, f"{where}: no '{key}'"
    v = obj[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    assert any(isinstance(v, k) and not (k is int and isinstance(v, bool)) for k in kinds), \
        f"{where}.{key}: {v!r} is not {kinds}"
    return v

def positive(obj, key, where):
    v = need(obj, key, (int, float), where)
    assert v > 0 and math.isfinite(v), f"{where}.{key} = {v}, expected > 0"
    return v

num = (int, float)
assert need(report, "schema", str, "report") == "toonbox.bench/1"
need(report, "started", str, "report")
positive(report, "seconds", "report")
need(report, "input", str, "report")
need(report, "processing", str, "report")
need(report, "notes", list, "report")
assert need(report, "exit_code", int, "report") == 0
assert need(report, "complete", bool, "report"), "a finished run says complete"
assert need(report, "configurations_planned", int, "report") == want_rows

m = need(report, "machine", dict, "report")
need(m, "toonbox_version", str, "machine")
b = need(m, "build", dict, "machine")
for k in ("type", "compiler", "cuda_archs", "binary"): need(b, k, str, "machine.build")
need(b, "cuda_backend", bool, "machine.build")
cpu = need(m, "cpu", dict, "machine")
need(cpu, "model", str, "machine.cpu")
positive(cpu, "cores", "machine.cpu")
positive(cpu, "memory_total_bytes", "machine.cpu")
need(m, "os", str, "machine")
need(m, "gpus", list, "machine")
for k in ("driver", "driver_cuda", "cuda_runtime", "cudnn", "cublas", "gpu_verdict"): need(m, k, str, "machine")

o = need(report, "options", dict, "report")
for k in ("models", "sizes", "batches", "cpu_batches", "precisions", "devices"): need(o, k, list, "options")
for k in ("runs", "cpu_runs", "pipeline_images"): need(o, k, int, "options")
for k in ("task", "pipeline_format"): need(o, k, str, "options")
for k in ("cold_start", "pipeline"): need(o, k, bool, "options")
need(o, "max_seconds", num, "options")

rows = need(report, "results", list, "report")
assert len(rows) == want_rows, f"{len(rows)} rows, expected {want_rows}"
references = 0
for r in rows:
    w = r.get("key", "?")
    for k in ("key", "task", "model", "device", "precision", "outcome", "model_description", "device_label"):
        need(r, k, str, w)
    assert r["outcome"] == "ok", f"{w}: {r.get('error')}"
    assert r["error"] is None and r["error_code"] is None, w
    for k in ("size", "batch", "runs_requested", "batch_ran", "arena_bytes", "peak_rss_bytes"): need(r, k, int, w)
    assert r["batch_ran"] == r["batch"], f"{w}: batch ran as {r['batch_ran']}"
    for k in ("load_ms", "first_call_ms", "first_compute_ms", "images_per_s", "images_per_s_compute"):
        positive(r, k, w)
    assert need(r, "compile_ms", num, w) > 0, f"{w}: a first call reports its compile"
    assert r["compile_ms"] < r["first_call_ms"], f"{w}: compile is part of the first call"
    positive(r, "arena_bytes", w)
    positive(r, "peak_rss_bytes", w)
    need(r, "peak_rss_reset", bool, w)
    assert r["peak_device_bytes"] is None, f"{w}: no device memory on the CPU"
    warm = need(r, "warm_ms", dict, w)
    for phase in ("wall", "compute", "upload", "download"):
        s = need(warm, phase, dict, w + ".warm_ms")
        for k in ("median", "p90", "min", "max", "mean"): need(s, k, num, f"{w}.warm_ms.{phase}")
        assert s["n"] == r["runs_requested"], f"{w}.{phase}: {s['n']} runs, asked {r['runs_requested']}"
        assert s["min"] <= s["median"] <= s["p90"] <= s["max"], f"{w}.{phase}: order {s}"
    assert warm["compute"]["median"] <= warm["wall"]["median"], f"{w}: compute within the call"
    ips = r["batch"] * 1000 / warm["wall"]["median"]
    assert abs(r["images_per_s"] - ips) < 1e-6 * ips, f"{w}: images/s {r['images_per_s']} vs {ips}"

    cs = need(r, "cold_start", dict, w)
    assert need(cs, "ok", bool, w) and cs["error"] is None, f"{w}: cold start {cs}"
    positive(cs, "to_output_ms", w + ".cold_start")
    assert cs["to_output_ms"] <= need(cs, "to_exit_ms", num, w), f"{w}: output before exit"
    positive(cs, "peak_rss_bytes", w + ".cold_start")
    argv = need(cs, "argv", list, w)
    assert argv[1] == "cartoonize" and "--resolution" in argv and "full" in argv, argv
    need(cs, "measured_in", str, w)

    p = need(r, "pipeline", dict, w)
    assert p["ok"] and p["error"] is None, f"{w}: pipeline {p}"
    assert need(p, "images", int, w) == report["options"]["pipeline_images"] and p["failed"] == 0
    for k in ("seconds", "images_per_s", "overlap", "device_stage_ms_per_image", "model_ms_per_image"):
        positive(p, k, w + ".pipeline")
    for group in ("threads", "stage_busy_ms", "utilisation"):
        g = need(p, group, dict, w + ".pipeline")
        for stage in ("decode", "device", "encode"): need(g, stage, num, f"{w}.pipeline.{group}")
    assert sum(need(p, "device_calls", dict, w).values()) * 1 >= 1
    assert need(p, "bound_by", str, w) in ("decode", "device", "encode")
    need(p, "host_bound", bool, w)
    assert need(p, "verdict", str, w).split(":")[0] in ("host-bound", "device-bound"), p["verdict"]

    a = need(r, "agreement", dict, w)
    need(a, "reference", str, w)
    need(a, "floor_db", num, w)
    assert need(a, "pass", bool, w), f"{w}: disagrees {a}"
    if need(a, "is_reference", bool, w):
        references += 1
        assert not a["measured"] and r["batch"] == 1, w
    else:
        assert a["measured"] and a["items"] == r["batch"], f"{w}: {a}"
        assert a["identical"] or a["psnr_db"] >= a["floor_db"], a
        assert 0.99 <= a["ssim"] <= 1.0 + 1e-9 and a["max_abs"] >= 0, a
    for k in ("speedup_vs_cpu", "speedup_vs_cpu_compute", "speedup_basis"):
        assert r[k] is None, f"{w}: CPU rows have no speed-up ({k})"
    need(r, "notes", list, w)
assert references == 1, f"{references} reference rows"
print(f"{len(rows)} rows checked")
