// Times one ONNX model in ONNX Runtime on the CPU (npm onnxruntime-node, installed in
// tests/oracles by scripts/install-deps): the side-by-side figure of tools/bench_cpu_ort.sh.
//
//   node tools/ort_time.mjs MODEL.onnx D0,D1,... [THREADS] [RUNS]
//
// Graph optimizations 'all' (ORT's fusions and its NCHWc conv layouts: the tuned setup a
// user would deploy), THREADS intra-op threads (default 2), one warm-up run, then RUNS
// (default 10) timed runs of the whole session.run on a fixed input. Prints one JSON line:
// {"model", "shape", "threads", "runs", "median_ms", "min_ms"}.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'oracles', 'package.json'));
const ort = require('onnxruntime-node');

const [model, dims, threadsArg, runsArg] = process.argv.slice(2);
if (!model || !dims) {
  console.error('usage: node tools/ort_time.mjs MODEL.onnx D0,D1,... [THREADS] [RUNS]');
  process.exit(2);
}
const shape = dims.split(',').map(Number);
const threads = Number(threadsArg || 2), runs = Number(runsArg || 10);
const session = await ort.InferenceSession.create(model, {
  intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
});
const count = shape.reduce((a, b) => a * b, 1);
const x = new Float32Array(count).map((_, i) => Math.sin(i * 0.001));  // a smooth, non-constant input
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x, shape) };
await session.run(feeds);
const times = [];
for (let i = 0; i < runs; ++i) {
  const t0 = performance.now();
  await session.run(feeds);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ model, shape, threads, runs, median_ms: times[times.length >> 1], min_ms: times[0] }));
