"""ONNX Runtime oracle in Python: the same command line and output as ort_run.mjs, for
machines with Python's onnxruntime but no Node (the GPU machine).

  python3 ort_run.py MODEL.onnx OUT_DIR NAME=FILE.f32:D0,D1,... [...]
  python3 ort_run.py --batch LIST.json
"""
import json
import os
import sys

import numpy as np
import onnxruntime as ort


def run_one(model, out_dir, specs):
    feeds = {}
    for spec in specs:
        name, rest = spec.split("=", 1)
        path, dims = rest.rsplit(":", 1)
        shape = [int(d) for d in dims.split(",")]
        dtype = "<f8" if path.endswith(".f64") else "<f4"  # .f64: CodeFormer's `weight`
        feeds[name] = np.fromfile(path, dtype=dtype).reshape(shape)
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    results = sess.run(names, feeds)
    os.makedirs(out_dir, exist_ok=True)
    outputs = []
    for i, (name, value) in enumerate(zip(names, results)):
        path = os.path.join(out_dir, f"{i}.f32")
        np.asarray(value, dtype="<f4").tofile(path)
        outputs.append({"name": name, "shape": list(np.shape(value)), "file": path})
    return {"outputs": outputs}


def main():
    args = sys.argv[1:]
    if args and args[0] == "--batch":
        for case in json.load(open(args[1])):
            os.makedirs(case["out_dir"], exist_ok=True)
            try:
                result = run_one(case["model"], case["out_dir"], case["inputs"])
            except Exception as e:  # reported per case, as ort_run.mjs does
                result = {"error": str(e)}
            with open(os.path.join(case["out_dir"], "result.json"), "w") as f:
                json.dump(result, f)
        return
    if len(args) < 3:
        sys.exit("usage: ort_run.py MODEL.onnx OUT_DIR NAME=FILE.f32:D0,D1,... [...]")
    print(json.dumps(run_one(args[0], args[1], args[2:])))


if __name__ == "__main__":
    main()
