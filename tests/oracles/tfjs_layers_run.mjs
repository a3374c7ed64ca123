// Runs a TF.js LAYERS model (tf.loadLayersModel) with the pure-JS CPU backend: the oracle
// the UpscalerJS model tests compare toonbox's layers importer against.
//
//   node tfjs_layers_run.mjs MODEL_DIR INPUT.f32 N,H,W,C OUTPUT.f32 [DEFINITION.js]
//
// DEFINITION.js is the package's own CommonJS model definition (e.g. an @upscalerjs
// package's dist/cjs/models/<name>/src/x4/index.js). When it has a `setup(tf)` hook, the
// hook runs first: that is how UpscalerJS registers its custom layers (MultiplyBeta,
// PixelShuffle<N>x), so the oracle uses the authors' layer code, not a copy of it.
// INPUT.f32 and OUTPUT.f32 are raw little-endian float32 in NHWC order. The output's
// shape and the definition's ranges are printed as JSON on stdout.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs';

function usage(message) {
  console.error(`tfjs_layers_run: ${message}`);
  console.error('usage: node tfjs_layers_run.mjs MODEL_DIR INPUT.f32 N,H,W,C OUTPUT.f32 [DEFINITION.js]');
  process.exit(2);
}

async function main() {
  const [modelDir, inputPath, shapeText, outputPath, definitionPath] = process.argv.slice(2);
  if (!outputPath) usage('missing arguments');
  const shape = shapeText.split(',').map(Number);
  if (shape.length !== 4 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    usage(`bad shape '${shapeText}'`);
  }

  let definition = {};
  if (definitionPath) {
    const require = createRequire(import.meta.url);
    const mod = require(resolve(definitionPath));
    definition = mod.default || mod;
    if (typeof definition.setup === 'function') definition.setup(tf);
  }

  const modelJson = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
  if (modelJson.format !== 'layers-model') usage(`${modelDir}: format is ${modelJson.format}, not layers-model`);
  const weightSpecs = [];
  const buffers = [];
  for (const group of modelJson.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(readFileSync(join(modelDir, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);

  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }));

  const raw = readFileSync(inputPath);
  const count = shape.reduce((a, b) => a * b, 1);
  if (raw.byteLength !== count * 4) {
    usage(`${inputPath}: got ${raw.byteLength} bytes, expected ${count * 4} for shape ${shape}`);
  }
  const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const input = tf.tensor(values, shape, 'float32');
  const output = model.predict(input);
  const result = Array.isArray(output) ? output[0] : output;
  const data = result.dataSync();
  writeFileSync(outputPath, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  console.log(JSON.stringify({
    shape: result.shape,
    inputRange: definition.inputRange || null,
    outputRange: definition.outputRange || null,
    scale: definition.scale || null,
  }));
}

main().catch((e) => {
  console.error(`tfjs_layers_run: ${e.stack || e}`);
  process.exit(1);
});
