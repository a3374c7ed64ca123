// The page's "Restore faces" task in headless Chromium (as upscale_ui_test.mjs): pick the
// task (the cartoonize-only options go away), see each restorer's licence (a
// non-commercial notice for CodeFormer) and the fidelity slider only for the model that
// takes one, restore a shared photo and a faceless image (the card counts the faces; the
// faceless one is passed through with a note, or with "Faces only" refused as "no face"),
// download the result, and the API's refusals (and upscale=2 with the shared x2 upscaler). Uses the shared YuNet and photo
// (../shared or $TOONBOX_SHARED_DIR) and stand-in restorers from
// tests/oracles/make_face_restorer.py (python3-onnx; no real weights). Keeps a screenshot
// (ARTIFACT_DIR/restore.png).
//
// usage: node restore_ui_test.mjs TOONBOX_BINARY ARTIFACT_DIR
// Exit 0 passed, 1 failed, 77 skipped (no chromium, playwright-core, python3-onnx or shared files).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { png } from './fixtures.mjs';
import { check, chromiumOrSkip, downloadFirstCard, finish, keepScreenshot, openPage, SKIP, startServer, testArgs } from './harness.mjs';

const { toonbox, artifacts } = testArgs('restore_ui_test.mjs', join(process.cwd(), 'artifacts'));
const here = dirname(fileURLToPath(import.meta.url));
const shared = process.env.TOONBOX_SHARED_DIR || resolve(here, '../../../shared');
const yunet = join(shared, 'models', 'yunet', 'yunet_n_dynamic.onnx');
const photo = join(shared, 'images', 'gfpgan_Blake_Lively.jpg');
if (!existsSync(yunet) || !existsSync(photo)) {
  console.log(`SKIP: the shared YuNet and photo are not in ${shared}`);
  process.exit(SKIP);
}
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import onnx']).status === 0);
if (!python) {
  console.log('SKIP: no python3 with onnx (apt-get install python3-onnx) to write the stand-in restorers');
  process.exit(SKIP);
}
const { chromium, chromiumPath } = await chromiumOrSkip();

const work = mkdtempSync(join(tmpdir(), 'toonbox-restore-ui-'));
mkdirSync(artifacts, { recursive: true });
const env = { ...process.env, TOONBOX_MODELS: join(work, 'models') };
const make = join(here, '..', 'oracles', 'make_face_restorer.py');
// gfpgan: a colour shift (the pasted face is visibly redder); codeformer: identity times
// the fidelity weight (its second input).
const made = [spawnSync(python, [make, 'shift', join(work, 'gfpgan_1.4.onnx')]),
  spawnSync(python, [make, 'identity', join(work, 'codeformer.onnx'), '--weight'])];
check(made.every((r) => r.status === 0), 'stand-in restorers written', made.map((r) => String(r.stderr)).join(''));
for (const [path, name] of [[yunet, 'yunet'], [join(work, 'gfpgan_1.4.onnx'), 'gfpgan'], [join(work, 'codeformer.onnx'), 'codeformer']]) {
  const r = spawnSync(toonbox, ['models', 'import', path, '--name', name], { env, encoding: 'utf8' });
  check(r.status === 0, `${name} imported`, r.stdout + r.stderr);
}
// The upscale task's x2 model, when shared, for upscale=2 (the background through it).
const x2 = join(shared, 'models', 'realesr-animevideov3-ncnn', 'realesr-animevideov3-x2.param');
const haveX2 = existsSync(x2);
if (haveX2) {
  const r = spawnSync(toonbox, ['models', 'import', x2], { env, encoding: 'utf8' });
  check(r.status === 0, 'realesr-animevideov3-x2 imported', r.stdout + r.stderr);
}
const files = { blake: join(work, 'blake.jpg'), plain: join(work, 'plain.png') };
copyFileSync(photo, files.blake);
writeFileSync(files.plain, png(96, 64, (x, y) => [40 + x, 60 + y, 150]));

const served = await startServer(toonbox, env);
const { base } = served;

let context;
try {
  // The API's refusals, before the page.
  const form = (fields, file = files.plain) => {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    f.append('image', new Blob([readFileSync(file)]), 'x.png');
    return f;
  };
  let r = await fetch(base + '/api/v1/restore', { method: 'POST', body: form({ model: 'gfpgan', fidelity: '2' }) });
  check(r.status === 400 && /fidelity must be a number in 0\.\.1/.test(await r.text()), 'fidelity=2 is a 400 naming the parameter');
  r = await fetch(base + '/api/v1/restore', { method: 'POST', body: form({ model: 'gfpgan', faces_only: 'true' }) });
  const noFace = await r.json();
  check(r.status === 422 && noFace.error.code === 'no_face', 'faces_only and no face is a 422 no_face', JSON.stringify(noFace));
  r = await fetch(base + '/api/v1/restore', { method: 'POST', body: form({ model: 'gfpgan', upscale: '3' }) });
  check(r.status === 404 && /realesr-animevideov3-x3/.test(await r.text()), 'upscale=3 without its upscaler is a 404 naming it');
  if (haveX2) {
    r = await fetch(base + '/api/v1/restore', { method: 'POST', body: form({ model: 'gfpgan', upscale: '2' }, files.blake) });
    check(r.status === 200 && r.headers.get('X-Toonbox-Size') === '1400x928' && Number(r.headers.get('X-Toonbox-Faces')) >= 1,
      'upscale=2: twice the size, faces restored', `${r.status} ${r.headers.get('X-Toonbox-Size')} ${r.headers.get('X-Toonbox-Faces')}`);
    await r.arrayBuffer();
  }

  const opened = await openPage(chromium, chromiumPath, join(work, 'profile'), base);
  context = opened.context;
  const { page, foreign, pageErrors } = opened;

  await page.goto(base + '/');
  check(await page.locator('#restore-model').isHidden(), 'the restore options are hidden while cartoonizing');
  await page.check('input[name=task][value=restore]');
  check(await page.locator('#restore-model').isVisible() && await page.locator('#faces-only').isVisible(),
    'picking Restore faces shows the restorer and Faces only');
  check(await page.locator('#strength').isHidden() && await page.locator('#scale').isHidden(),
    'and hides the other tasks\' options');
  await page.waitForFunction(() => document.querySelectorAll('#restore-model option').length === 2, null, { timeout: 10000 });
  await page.selectOption('#restore-model', 'codeformer');
  const cfLicence = await page.textContent('#restore-licence');
  check(/non-commercial use only/.test(cfLicence) && cfLicence.match(/non-commercial/g).length === 1,
    'CodeFormer shows its non-commercial notice, once', cfLicence);
  check(await page.locator('#fidelity').isVisible(), 'and the fidelity slider (it takes a weight)');
  await page.selectOption('#restore-model', 'gfpgan');
  const gLicence = await page.textContent('#restore-licence');
  check(/Apache-2\.0/.test(gLicence) && !/non-commercial/.test(gLicence), 'GFPGAN shows Apache-2.0, no notice', gLicence);
  check(await page.locator('#fidelity').isHidden(), 'and no fidelity slider');
  const ups = await page.$$eval('#restore-upscale option', (os) => os.map((o) => o.value));
  check(JSON.stringify(ups) === (haveX2 ? '["1","2"]' : '["1"]'), 'the upscale choices are the installed upscalers\'', JSON.stringify(ups));

  await page.setInputFiles('#file-input', [files.blake, files.plain]);
  check(await page.textContent('#run') === 'Restore 2 images', 'the button says Restore 2 images', await page.textContent('#run'));
  const waitCards = () => page.waitForFunction(() => {
    const cards = [...document.querySelectorAll('.card')];
    return cards.length === 2 && cards.every((c) => c.dataset.state === 'done' || c.dataset.state === 'failed');
  }, null, { timeout: 120000 });
  await page.click('#run');
  await waitCards();
  const states = await page.$$eval('.card', (cs) => cs.map((c) => c.dataset.state));
  check(JSON.stringify(states) === '["done","done"]', 'both answered', JSON.stringify(states) +
    ' ' + (await page.$$eval('.card .error', (es) => es.map((e) => e.textContent))).join(' | '));
  const metas = await page.$$eval('.card .meta', (ms) => ms.map((m) => m.textContent));
  check(/700×464 · gfpgan · [1-9]\d* faces? restored/.test(metas[0]), 'the photo\'s card counts its restored faces', metas[0]);
  check(/0 faces restored · no face found/.test(metas[1]), 'the faceless image is passed through with the note', metas[1]);
  await keepScreenshot(page, artifacts, 'restore.png');
  const one = await downloadFirstCard(page, artifacts, 'blake-restored.png');
  check(one.isPng && one.width === 700 && one.height === 464, 'the downloaded PNG is the photo\'s size');

  // Faces only: the faceless image gets no result, and its card says why.
  await page.check('#faces-only');
  await page.click('#run');
  await waitCards();
  const again = await page.$$eval('.card', (cs) => cs.map((c) => [c.dataset.state, c.querySelector('.state').textContent]));
  check(JSON.stringify(again) === '[["done","done"],["failed","no face"]]', 'with Faces only the faceless card says no face', JSON.stringify(again));
  const err = await page.textContent('.card[data-state=failed] .error');
  check(/no face found/.test(err), 'and shows the server\'s words', err);

  await page.check('input[name=task][value=cartoonize]');
  check(await page.locator('#strength').isVisible() && await page.locator('#restore-model').isHidden() &&
    await page.locator('#restore-licence').isHidden(), 'Cartoonize restores its options');
  check(foreign.length === 0, 'the page fetched nothing from anywhere else', foreign.join(', '));
  check(pageErrors.length === 0, 'no script errors', pageErrors.join('\n'));
} catch (e) {
  check(false, 'browser test ran to the end', e.stack || String(e));
} finally {
  await finish({ context, served, work });
}
