// `toonbox serve` as a process: flags, the start-up lines, a token generated for a
// non-loopback address, SIGTERM draining (the request in flight completes, then the
// process exits 0), and several devices (`--device cpu,cpu`, one failing through
// TOONBOX_TEST_DEVICE_FAULTS). Node only (fetch, FormData); no packages.
//
// usage: node serve_binary_test.mjs TOONBOX_BINARY
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { portrait } = await import(join(here, '..', 'browser', 'fixtures.mjs'));
const toonbox = process.argv[2];
if (!toonbox) {
  console.error('usage: node serve_binary_test.mjs TOONBOX_BINARY');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'toonbox-serve-'));
const env = { ...process.env, TOONBOX_MODELS: join(work, 'models') };
delete env.TOONBOX_TOKEN;

let passed = 0, failed = 0;
function check(ok, what, detail = '') {
  if (ok) { passed++; console.log(`ok   - ${what}`); }
  else { failed++; console.log(`FAIL - ${what}${detail ? ': ' + String(detail).slice(0, 2000) : ''}`); }
}

function start(args, extraEnv = {}) {
  const p = spawn(toonbox, ['serve', ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const s = { proc: p, out: '', err: '' };
  p.stdout.on('data', (d) => { s.out += d; });
  p.stderr.on('data', (d) => { s.err += d; });
  s.exit = new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal })));
  s.ready = new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no "listening on" line:\n' + s.out + s.err)), 30000);
    const poll = setInterval(() => {
      const m = s.out.match(/listening on http:\/\/[^:]+:(\d+)\//);
      if (m) { clearTimeout(t); clearInterval(poll); resolve(Number(m[1])); }
    }, 20);
    p.on('exit', () => { clearTimeout(t); clearInterval(poll); reject(new Error('exited early:\n' + s.out + s.err)); });
  });
  return s;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

try {
  // Flags.
  const help = spawnSync(toonbox, ['serve', '--help'], { env, encoding: 'utf8' });
  check(help.status === 0 && /--host H/.test(help.stdout) && /--token T/.test(help.stdout), 'serve --help');
  const bad = spawnSync(toonbox, ['serve', '--colour', 'red'], { env, encoding: 'utf8' });
  check(bad.status === 2, 'unknown flag exits 2', bad.status);
  const badPort = spawnSync(toonbox, ['serve', '--port', '70000'], { env, encoding: 'utf8' });
  check(badPort.status === 2 && /--port must be an integer from 0 to 65535/.test(badPort.stderr), 'bad port exits 2 and says why');
  const listed = spawnSync(toonbox, ['--help'], { env, encoding: 'utf8' });
  check(/serve\s+local web page and REST API/.test(listed.stdout), 'serve is listed in toonbox --help');

  // SIGTERM drains: the request in flight completes, then exit 0.
  {
    const s = start(['--port', '0', '--device', 'cpu', '--model', 'classic']);
    const port = await s.ready;
    const base = `http://127.0.0.1:${port}`;
    check(/^device: CPU: requested \(--device cpu\) — /m.test(s.out), 'prints the device line', s.out);
    check(/^listening on http:\/\/127\.0\.0\.1:\d+\/$/m.test(s.out), 'listens on 127.0.0.1 by default');
    check(!/token:/.test(s.out), 'no token on loopback by default');
    const form = new FormData();
    form.append('image', new Blob([portrait(1400, 1400)], { type: 'image/png' }), 'big.png');
    const t0 = Date.now();
    const inFlight = fetch(`${base}/api/v1/cartoonize`, { method: 'POST', body: form });
    let busy = false;
    for (let i = 0; i < 400 && !busy; i++) {
      const st = await (await fetch(`${base}/api/v1/status`)).json();
      busy = st.queue.running + st.queue.depth > 0;
      if (!busy) await sleep(10);
    }
    check(busy, 'the request reached the device queue');
    s.proc.kill('SIGTERM');
    const res = await inFlight;
    const body = Buffer.from(await res.arrayBuffer());
    check(res.status === 200 && body.subarray(1, 4).toString() === 'PNG', 'the request in flight completes after SIGTERM',
      `${res.status} ${body.subarray(0, 200)}`);
    const exit = await s.exit;
    check(exit.code === 0, 'exits 0 after draining', JSON.stringify(exit) + s.err);
    check(/SIGTERM: draining/.test(s.err) && /stopped/.test(s.out), 'says it drains and stopped');
    let refused = false;
    try { await fetch(`${base}/health/live`); } catch (e) { refused = true; }
    check(refused, 'nothing listens afterwards');
    console.log(`     (drain test: request took ${Date.now() - t0} ms)`);
  }

  // Any non-loopback address needs a token: one is generated and printed.
  {
    const s = start(['--host', '0.0.0.0', '--port', '0', '--device', 'cpu', '--model', 'classic']);
    const port = await s.ready;
    const m = s.out.match(/^token: ([0-9a-f]{64}) \(generated/m);
    check(!!m, 'a 32-byte hex token is generated and printed', s.out);
    check(/\?token=[0-9a-f]{64}/.test(s.out), 'prints the address to open with the token');
    const base = `http://127.0.0.1:${port}`;
    const no = await fetch(`${base}/api/v1/status`);
    check(no.status === 401, 'API refused without the token', no.status);
    if (m) {
      const yes = await fetch(`${base}/api/v1/status`, { headers: { Authorization: `Bearer ${m[1]}` } });
      check(yes.status === 200, 'API answers with the token', yes.status);
      const page = await fetch(`${base}/?token=${m[1]}`, { redirect: 'manual' });
      check(page.status === 303 && /toonbox_token=/.test(page.headers.get('set-cookie') || ''), '/?token= sets the cookie');
    }
    check((await fetch(`${base}/health/live`)).status === 200, 'health stays open for probes');
    s.proc.kill('SIGINT');
    const exit = await s.exit;
    check(exit.code === 0, 'SIGINT also drains and exits 0', JSON.stringify(exit));
  }

  // Two CPU workers behind one queue, the second "lost" after its first image: every
  // request succeeds, the user is told, /metrics and /api/v1/status show it out of rotation.
  {
    const s = start(['--port', '0', '--device', 'cpu,cpu', '--model', 'classic', '--max-batch', '1'],
      { TOONBOX_TEST_DEVICE_FAULTS: '1:fail-after=1,*:delay=100' });
    const port = await s.ready;
    const base = `http://127.0.0.1:${port}`;
    check(/^device: 2 device workers \(--device cpu,cpu\), one queue$/m.test(s.out) && /^  cpu#2: /m.test(s.out),
      'prints the devices', s.out);
    const post = () => {
      const form = new FormData();
      form.append('image', new Blob([portrait(48, 32)], { type: 'image/png' }), 'a.png');
      return fetch(`${base}/api/v1/cartoonize`, { method: 'POST', body: form });
    };
    const replies = await Promise.all(Array.from({ length: 8 }, post));
    const devices = replies.map((r) => r.headers.get('x-toonbox-device'));
    check(replies.every((r) => r.status === 200), 'every request succeeds with one device lost',
      replies.map((r) => r.status).join(' '));
    check(devices.includes('cpu#2') && devices.includes('cpu#1'), 'both devices answered requests', devices.join(' '));
    check(/cpu#2 taken out of rotation: TOONBOX_TEST_DEVICE_FAULTS made device cpu#2 fail after 1 calls \(device lost\); its requests go to the 1 other device/.test(s.err),
      'the user is told which device left and why', s.err);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    check(/^toonbox_device_in_rotation\{device="cpu#2"\} 0$/m.test(metrics) &&
      /^toonbox_device_in_rotation\{device="cpu#1"\} 1$/m.test(metrics), '/metrics: cpu#2 out of rotation, cpu#1 in', metrics);
    check(/^toonbox_device_images_total\{device="cpu#2",outcome="ok"\} 1$/m.test(metrics), '/metrics: cpu#2 made its one image');
    const st = await (await fetch(`${base}/api/v1/status`)).json();
    check(st.devices.length === 2 && st.devices[1].state === 'retired' && st.devices_in_rotation === 1,
      '/api/v1/status lists the devices and their state', JSON.stringify(st.devices));
    check((await fetch(`${base}/health/ready`)).status === 200, 'still ready on the device left');
    s.proc.kill('SIGTERM');
    check((await s.exit).code === 0, 'drains and exits 0');
  }

  // Every device lost: readiness 503 and requests a clear 503, no hang.
  {
    const s = start(['--port', '0', '--device', 'cpu,cpu', '--model', 'classic'],
      { TOONBOX_TEST_DEVICE_FAULTS: '*:fail-after=0' });
    const port = await s.ready;
    const base = `http://127.0.0.1:${port}`;
    const form = new FormData();
    form.append('image', new Blob([portrait(48, 32)], { type: 'image/png' }), 'a.png');
    const r = await fetch(`${base}/api/v1/cartoonize`, { method: 'POST', body: form });
    const body = await r.json();
    check(r.status === 503 && body.error.code === 'no_device', 'a request with no device left gets 503 no_device',
      `${r.status} ${JSON.stringify(body)}`);
    const ready = await fetch(`${base}/health/ready`);
    check(ready.status === 503 && (await ready.json()).status === 'no device in rotation', '/health/ready is 503');
    check(/no device left: the server is not ready/.test(s.err), 'the user is told no device is left', s.err);
    const bad = spawnSync(toonbox, ['serve', '--port', '0', '--device', 'cpu,cpu', '--model', 'classic'],
      { env: { ...env, TOONBOX_TEST_DEVICE_FAULTS: '7:delay=1' }, encoding: 'utf8', timeout: 30000 });
    check(bad.status !== 0 && /TOONBOX_TEST_DEVICE_FAULTS: rule '7:delay=1' names worker 7 of 2/.test(bad.stderr),
      'a fault rule naming a missing device is refused', bad.stderr);
    s.proc.kill('SIGTERM');
    check((await s.exit).code === 0, 'exits 0');
  }

  // A token chosen on the command line is required on loopback too.
  {
    const s = start(['--port', '0', '--device', 'cpu', '--model', 'classic', '--token', 'my-own-token']);
    const port = await s.ready;
    const base = `http://127.0.0.1:${port}`;
    check((await fetch(`${base}/api/v1/models`)).status === 401, '--token is required when given');
    check((await fetch(`${base}/api/v1/models`, { headers: { Authorization: 'Bearer my-own-token' } })).status === 200,
      '--token is accepted');
    s.proc.kill('SIGTERM');
    check((await s.exit).code === 0, 'exits 0');
  }
} catch (e) {
  check(false, 'test ran to the end', e.stack || String(e));
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
