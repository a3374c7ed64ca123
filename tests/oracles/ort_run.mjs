// Runs an ONNX model with ONNX Runtime (CPU, npm onnxruntime-node): the oracle the ONNX
// op and model tests compare toonbox against.
//
//   node ort_run.mjs MODEL.onnx OUT_DIR INPUT_NAME=FILE.f32:D0,D1,... [...]
//   node ort_run.mjs --batch LIST.json
//
// --batch runs many models in one process (the op tests): LIST.json is an array of
// {"model": PATH, "out_dir": DIR, "inputs": ["NAME=FILE.f32:D0,D1", ...]}; each case's
// JSON (or {"error": MESSAGE}) is written to OUT_DIR/result.json.
//
// Inputs are raw little-endian float32, or float64 for a FILE ending in .f64 (CodeFormer's
// `weight`). Every model output is written as OUT_DIR/<i>.f32
// (float32; other types converted) and described on stdout as JSON:
//   {"outputs":[{"name":"y","shape":[1,3,5,5],"file":"OUT_DIR/0.f32"}, ...]}
// Graph optimizations are off so ORT runs the ops as written (no fusions that change
// rounding); one thread for run-to-run determinism.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import * as ort from 'onnxruntime-node';

function usage(message) {
  console.error(`ort_run: ${message}`);
  console.error('usage: node ort_run.mjs MODEL.onnx OUT_DIR NAME=FILE.f32:D0,D1,... [...]');
  process.exit(2);
}

async function runOne(modelPath, outDir, specs) {
  const feeds = {};
  for (const spec of specs) {
    const m = /^([^=]+)=(.+):([0-9,]+)$/.exec(spec);
    if (!m) usage(`bad input spec '${spec}'`);
    const dims = m[3].split(',').map(Number);
    const raw = readFileSync(m[2]);
    const count = dims.reduce((a, b) => a * b, 1);
    const f64 = m[2].endsWith('.f64');
    const size = f64 ? 8 : 4;
    if (raw.byteLength !== count * size) usage(`${m[2]}: ${raw.byteLength} bytes, expected ${count * size}`);
    const bytes = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
    feeds[m[1]] = f64 ? new ort.Tensor('float64', new Float64Array(bytes), dims)
                      : new ort.Tensor('float32', new Float32Array(bytes), dims);
  }
  const session = await ort.InferenceSession.create(modelPath, {
    graphOptimizationLevel: 'disabled',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const results = await session.run(feeds);
  mkdirSync(outDir, { recursive: true });
  const outputs = [];
  session.outputNames.forEach((name, i) => {
    const t = results[name];
    const f32 = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data, Number);
    const file = join(outDir, `${i}.f32`);
    writeFileSync(file, Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength));
    outputs.push({ name, shape: t.dims, file });
  });
  return { outputs };
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--batch') {
    const list = JSON.parse(readFileSync(args[1], 'utf8'));
    for (const c of list) {
      mkdirSync(c.out_dir, { recursive: true });
      let result;
      try {
        result = await runOne(c.model, c.out_dir, c.inputs);
      } catch (e) {
        result = { error: String(e.message || e) };
      }
      writeFileSync(join(c.out_dir, 'result.json'), JSON.stringify(result));
    }
    return;
  }
  const [modelPath, outDir, ...specs] = args;
  if (!outDir || specs.length === 0) usage('missing arguments');
  console.log(JSON.stringify(await runOne(modelPath, outDir, specs)));
}

main().catch((e) => {
  console.error(`ort_run: ${e.stack || e}`);
  process.exit(1);
});
