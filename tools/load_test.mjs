#!/usr/bin/env node
// Load script for `toonbox serve` (not a timed test): N concurrent clients send
// POST /api/v1/cartoonize for M seconds over kept-alive connections and the script reports
// requests/s, latency percentiles and status codes. Passes when every response was 2xx or
// 429 (a full queue answering "retry later" is correct behaviour under overload).
//
//   node tools/load_test.mjs --url http://127.0.0.1:7860 --clients 8 --seconds 30
//        [--image photo.jpg | --size 256] [--query "model=classic&long_side=0"]
//        [--token T] [--json]
//
// Loopback only: it refuses any other host, so it cannot be pointed at someone else.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

function parseArgs(argv) {
  const o = { url: 'http://127.0.0.1:7860', clients: 8, seconds: 30, size: 256, query: '', token: process.env.TOONBOX_TOKEN || '', json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--url') o.url = next();
    else if (a === '--clients') o.clients = Number(next());
    else if (a === '--seconds') o.seconds = Number(next());
    else if (a === '--image') o.image = next();
    else if (a === '--size') o.size = Number(next());
    else if (a === '--query') o.query = next();
    else if (a === '--token') o.token = next();
    else if (a === '--json') o.json = true;
    else if (a === '--help' || a === '-h') o.help = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

// A synthetic RGB PNG (gradient and a disc) so the script needs no files.
function syntheticPng(w, h) {
  const table = new Uint32Array(256).map((_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'ascii');
    data.copy(out, 8);
    out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      const inDisc = (x - w / 2) ** 2 + (y - h / 2) ** 2 < (Math.min(w, h) / 3) ** 2;
      raw[o] = inDisc ? 230 : (255 * x) / w;
      raw[o + 1] = inDisc ? 180 : (255 * y) / h;
      raw[o + 2] = inDisc ? 150 : 140;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

async function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`load_test: ${e.message}`);
    process.exit(2);
  }
  if (o.help) {
    console.log(readFileSync(new URL(import.meta.url)).toString().split('\n').slice(1, 10).join('\n'));
    return;
  }
  const url = new URL(o.url);
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname)) {
    console.error(`load_test: refusing ${url.hostname}: this script only loads a server on this machine (loopback)`);
    process.exit(2);
  }
  if (!(o.clients >= 1 && o.clients <= 256) || !(o.seconds > 0 && o.seconds <= 3600)) {
    console.error('load_test: --clients must be 1..256 and --seconds 1..3600');
    process.exit(2);
  }
  const image = o.image ? readFileSync(o.image) : syntheticPng(o.size, o.size);
  const path = '/api/v1/cartoonize' + (o.query ? '?' + o.query : '');
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.clients });
  const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': image.length };
  if (o.token) headers.Authorization = `Bearer ${o.token}`;

  const latencies = [];     // ms, 2xx only
  const codes = new Map();  // status -> count
  let errors = 0;           // transport failures
  const errorSamples = [];
  let bad = 0;              // responses that are neither 2xx nor 429
  const t0 = Date.now();
  const end = t0 + o.seconds * 1000;

  const one = () => new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const req = http.request({ host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || 80, path, method: 'POST', headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        codes.set(res.statusCode, (codes.get(res.statusCode) || 0) + 1);
        if (res.statusCode >= 200 && res.statusCode < 300) latencies.push(ms);
        else if (res.statusCode !== 429) {
          bad++;
          if (errorSamples.length < 5) errorSamples.push(`${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 200)}`);
        }
        resolve(res.statusCode === 429 ? Number(res.headers['retry-after'] || 1) : 0);
      });
      res.on('error', (e) => { errors++; if (errorSamples.length < 5) errorSamples.push(String(e)); resolve(0); });
    });
    req.on('error', (e) => { errors++; if (errorSamples.length < 5) errorSamples.push(String(e)); resolve(0.1); });
    req.end(image);
  });

  const client = async () => {
    while (Date.now() < end) {
      const backoff = await one();
      // A 429 says when to come back; a well-behaved client waits (capped to the test).
      if (backoff > 0) await new Promise((r) => setTimeout(r, Math.min(backoff * 1000, Math.max(0, end - Date.now()))));
    }
  };
  await Promise.all(Array.from({ length: o.clients }, client));
  agent.destroy();

  const seconds = (Date.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const total = [...codes.values()].reduce((a, b) => a + b, 0);
  const ok = latencies.length;
  const result = {
    url: o.url, clients: o.clients, seconds: Number(seconds.toFixed(1)),
    image: o.image || `synthetic ${o.size}x${o.size} PNG`, query: o.query,
    requests: total, ok, 'ok_per_s': Number((ok / seconds).toFixed(2)), 'requests_per_s': Number((total / seconds).toFixed(2)),
    p50_ms: Number(percentile(latencies, 50).toFixed(1)), p99_ms: Number(percentile(latencies, 99).toFixed(1)),
    max_ms: Number((latencies[latencies.length - 1] || NaN).toFixed(1)),
    status: Object.fromEntries([...codes.entries()].sort((a, b) => a[0] - b[0])),
    transport_errors: errors, unexpected_status: bad,
  };
  if (o.json) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`clients ${result.clients}, ${result.seconds} s, ${result.image}${o.query ? ' (' + o.query + ')' : ''}`);
    console.log(`requests ${result.requests} (${result.requests_per_s}/s), 2xx ${ok} (${result.ok_per_s}/s)`);
    console.log(`latency of 2xx: p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, max ${result.max_ms} ms`);
    console.log(`status codes: ${JSON.stringify(result.status)}; transport errors ${errors}; other statuses ${bad}`);
    for (const s of errorSamples) console.log(`  e.g. ${s}`);
  }
  const pass = errors === 0 && bad === 0 && ok > 0;
  console.log(pass ? 'PASS: every response was 2xx or 429' : 'FAIL: responses other than 2xx/429, or transport errors, or nothing succeeded');
  process.exit(pass ? 0 : 1);
}

main();
