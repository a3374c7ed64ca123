// Runs a TF.js graph model with the pure-JS CPU backend: the oracle the model tests
// compare toonbox's imported graphs against.
//
//   node tfjs_run.mjs MODEL_DIR INPUT.f32 N,H,W,C OUTPUT.f32 [OUTPUT_NODE]
//
// INPUT.f32 and OUTPUT.f32 are raw little-endian float32 in NHWC order. The output's
// shape is printed as JSON on stdout ({"shape":[1,H,W,C]}).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

function usage(message) {
  console.error(`tfjs_run: ${message}`);
  console.error('usage: node tfjs_run.mjs MODEL_DIR INPUT.f32 N,H,W,C OUTPUT.f32 [OUTPUT_NODE]');
  process.exit(2);
}

async function main() {
  const [modelDir, inputPath, shapeText, outputPath, outputNode] = process.argv.slice(2);
  if (!outputPath) usage('missing arguments');
  const shape = shapeText.split(',').map(Number);
  if (shape.length !== 4 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    usage(`bad shape '${shapeText}'`);
  }

  const modelJson = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
  // All groups' shards concatenated in manifest order, and their specs in the same order.
  const weightSpecs = [];
  const buffers = [];
  for (const group of modelJson.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(readFileSync(join(modelDir, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);

  await tf.setBackend('cpu');
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      convertedBy: modelJson.convertedBy,
      userDefinedMetadata: modelJson.userDefinedMetadata,
      signature: modelJson.signature,
      weightSpecs,
      weightData,
    }));

  const raw = readFileSync(inputPath);
  const count = shape.reduce((a, b) => a * b, 1);
  if (raw.byteLength !== count * 4) {
    usage(`${inputPath}: got ${raw.byteLength} bytes, expected ${count * 4} for shape ${shape}`);
  }
  const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const input = tf.tensor(values, shape, 'float32');
  const output = outputNode ? model.execute(input, outputNode) : model.execute(input);
  const result = Array.isArray(output) ? output[0] : output;
  const data = result.dataSync();
  writeFileSync(outputPath, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  console.log(JSON.stringify({ shape: result.shape }));
}

main().catch((e) => {
  console.error(`tfjs_run: ${e.stack || e}`);
  process.exit(1);
});
