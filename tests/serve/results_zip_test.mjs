// The server-built zip of a job's results (GET /api/v1/jobs/{id}/results.zip and
// GET /api/v1/results.zip?items=...), unzipped by an independent implementation (Python's
// zipfile: CRCs checked, stored entries, names, dates) and compared byte for byte with the
// single-result downloads; hostile and duplicate upload names, bad selections; and the
// job status's elapsed_ms. Node only (fetch, FormData) plus python3.
//
// usage: node results_zip_test.mjs TOONBOX_BINARY
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { portrait, notAnImage } = await import(join(here, '..', 'browser', 'fixtures.mjs'));
const { check, finish, startServer } = await import(join(here, '..', 'browser', 'harness.mjs'));
const toonbox = process.argv[2];
if (!toonbox) {
  console.error('usage: node results_zip_test.mjs TOONBOX_BINARY');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'toonbox-zip-'));
const env = { ...process.env, TOONBOX_MODELS: join(work, 'models') };
delete env.TOONBOX_TOKEN;
const served = await startServer(toonbox, env);
const { base } = served;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Python's zipfile as the unzip: every entry's name, size, compression, DOS date as epoch
// seconds (local time, as zip dates are), its CRC checked by reading it, and its bytes' hex.
function unzip(path) {
  const py = `
import json, sys, time, zipfile, hashlib
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
out = {"bad": bad, "entries": []}
for i in z.infolist():
    data = z.read(i)
    out["entries"].append({"name": i.filename, "size": i.file_size, "stored": i.compress_type == zipfile.ZIP_STORED,
        "mtime": time.mktime(i.date_time + (0, 0, -1)), "date": list(i.date_time), "sha": hashlib.sha256(data).hexdigest()})
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', py, path], { encoding: 'utf8' });
  if (r.status !== 0) return { error: r.stderr };
  return JSON.parse(r.stdout);
}

async function sha256(buf) {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(buf).digest('hex');
}

try {
  // Three images (one sent twice under the same name, one with folders and spaces in its
  // name) and a file that is not an image.
  const form = new FormData();
  form.append('model', 'classic');
  form.append('format', 'png');
  form.append('images', new Blob([portrait(160, 200, 0)], { type: 'image/png' }), 'anna.png');
  form.append('images', new Blob([portrait(200, 150, 60)], { type: 'image/png' }), '../../etc/my holiday.png');
  form.append('images', new Blob([portrait(120, 120, 120)], { type: 'image/png' }), 'anna.png');
  form.append('images', new Blob([notAnImage], { type: 'image/jpeg' }), 'broken.jpg');
  const t0 = Date.now() / 1000;
  const created = await fetch(base + '/api/v1/jobs', { method: 'POST', body: form });
  check(created.status === 202, 'the job is accepted (202)', created.status);
  const job = await created.json();

  // Poll until finished; elapsed_ms is there for the job and every image and never goes back.
  let j = job;
  const seen = [];
  for (let k = 0; k < 600 && j.state === 'running'; k++) {
    await sleep(100);
    j = await (await fetch(base + '/api/v1/jobs/' + job.id)).json();
    seen.push(j);
  }
  const t1 = Date.now() / 1000;
  check(j.state === 'finished' && j.done === 3 && j.failed === 1, 'three results and one failure', JSON.stringify(j).slice(0, 400));
  check(seen.every((s) => Number.isInteger(s.elapsed_ms) && s.items.every((i) => Number.isInteger(i.elapsed_ms))),
    'elapsed_ms on the job and on every image, in every poll');
  let monotonic = true;
  for (let k = 1; k < seen.length; k++) {
    if (seen[k].elapsed_ms < seen[k - 1].elapsed_ms) monotonic = false;
    seen[k].items.forEach((it, i) => { if (it.elapsed_ms < seen[k - 1].items[i].elapsed_ms) monotonic = false; });
  }
  check(monotonic, 'elapsed times never go back between polls');
  check(j.items.every((it) => it.elapsed_ms <= j.elapsed_ms), 'no image took longer than its job',
    JSON.stringify(j.items.map((i) => i.elapsed_ms)) + ' vs ' + j.elapsed_ms);
  const final1 = j.elapsed_ms;
  await sleep(300);
  const again = await (await fetch(base + '/api/v1/jobs/' + job.id)).json();
  check(again.elapsed_ms === final1 && again.items[0].elapsed_ms === j.items[0].elapsed_ms,
    'a finished job\'s elapsed times stop counting', `${final1} then ${again.elapsed_ms}`);

  // The whole job's zip.
  const res = await fetch(base + `/api/v1/jobs/${job.id}/results.zip`);
  check(res.status === 200, 'results.zip answers 200', res.status);
  check(res.headers.get('content-type') === 'application/zip', 'as application/zip', res.headers.get('content-type'));
  check(/attachment; filename="toonbox-results.zip"/.test(res.headers.get('content-disposition') || ''),
    'as an attachment named toonbox-results.zip', res.headers.get('content-disposition'));
  const zipPath = join(work, 'all.zip');
  writeFileSync(zipPath, Buffer.from(await res.arrayBuffer()));
  const z = unzip(zipPath);
  check(!z.error && z.bad === null, 'Python\'s zipfile opens it and every CRC matches', z.error || z.bad);
  const names = (z.entries || []).map((e) => e.name);
  check(JSON.stringify(names) === JSON.stringify(['anna-toon.png', 'my_holiday-toon.png', 'anna-toon-2.png']),
    'entries: safe names (no folders), the duplicate made unique, the failed image left out', JSON.stringify(names));
  check((z.entries || []).every((e) => e.stored), 'entries are stored (the images are compressed already)');
  // DOS dates have two-second steps and no time zone: the local time the result finished.
  const dated = (z.entries || []).every((e) => e.mtime >= Math.floor(t0) - 2 && e.mtime <= Math.ceil(t1) + 1);
  check(dated, 'each entry is dated when its result finished (not 1980)',
    JSON.stringify((z.entries || []).map((e) => e.date)) + ` job ran ${new Date(t0 * 1000).toString()} .. ${new Date(t1 * 1000).toString()}`);
  for (const [k, index] of [[0, 0], [1, 1], [2, 2]]) {
    const one = Buffer.from(await (await fetch(base + `/api/v1/jobs/${job.id}/results/${index}`)).arrayBuffer());
    check(z.entries && z.entries[k] && z.entries[k].sha === await sha256(one) && z.entries[k].size === one.length,
      `entry ${k} is byte for byte result ${index}`);
  }

  // Chosen results, across a selection.
  const sel = await fetch(base + `/api/v1/results.zip?items=${job.id}:2,${job.id}:0`);
  check(sel.status === 200, 'results.zip?items= answers 200', sel.status);
  const selPath = join(work, 'sel.zip');
  writeFileSync(selPath, Buffer.from(await sel.arrayBuffer()));
  const zs = unzip(selPath);
  check(zs.bad === null && JSON.stringify((zs.entries || []).map((e) => e.name)) === '["anna-toon.png","anna-toon-2.png"]',
    'the selection holds the chosen results in the order asked', JSON.stringify(zs));

  // Bad selections are the request's errors, in the API's words.
  const status = async (url) => {
    const r = await fetch(base + url);
    const body = await r.json().catch(() => ({}));
    return { status: r.status, code: body.error && body.error.code, message: body.error && body.error.message };
  };
  const failedItem = await status(`/api/v1/results.zip?items=${job.id}:3`);
  check(failedItem.status === 404 && /has no result/.test(failedItem.message), 'a failed image in the selection: 404', JSON.stringify(failedItem));
  const unknown = await status('/api/v1/jobs/0123456789abcdef/results.zip');
  check(unknown.status === 404 && /no job/.test(unknown.message), 'an unknown job: 404 naming it', JSON.stringify(unknown));
  const malformed = await status('/api/v1/results.zip?items=../../x:1');
  check(malformed.status === 400 && /not JOB_ID:INDEX/.test(malformed.message), 'a malformed item: 400', JSON.stringify(malformed));
  const none = await status('/api/v1/results.zip');
  check(none.status === 400, 'no items: 400', JSON.stringify(none));
  const many = await status('/api/v1/results.zip?items=' + Array(257).fill('a:0').join(','));
  check(many.status === 413, 'more than 256 items: 413', JSON.stringify(many));

  // A job whose only image failed has nothing to zip.
  const bad = new FormData();
  bad.append('images', new Blob([notAnImage], { type: 'image/png' }), 'x.png');
  const badJob = await (await fetch(base + '/api/v1/jobs', { method: 'POST', body: bad })).json();
  const empty = await status(`/api/v1/jobs/${badJob.id}/results.zip`);
  check(empty.status === 404 && /no finished results/.test(empty.message), 'a job with no result: 404', JSON.stringify(empty));
} catch (e) {
  check(false, 'the test ran to the end', e.stack || String(e));
} finally {
  await finish({ served, work });  // the server must exit 0 on SIGTERM; counts and exit status
}
