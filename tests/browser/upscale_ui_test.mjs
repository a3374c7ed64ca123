// The page's "Upscale" task in headless Chromium (as serve_ui_test.mjs): pick the task
// (the cartoonize-only options go away), upload two images, get each back scale x its
// size in the card, download one, and the API's refusals (a scale the model does not
// make, a parameter it does not know). Uses the shared realesr-animevideov3 ncnn files
// (../shared/models or $TOONBOX_SHARED_DIR), imported into a fresh models folder; keeps
// a screenshot (ARTIFACT_DIR/upscale.png).
//
// usage: node upscale_ui_test.mjs TOONBOX_BINARY ARTIFACT_DIR
// Exit 0 passed, 1 failed, 77 skipped (no chromium, playwright-core or shared weights).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portrait } from './fixtures.mjs';
import { check, chromiumOrSkip, downloadFirstCard, finish, keepScreenshot, openPage, SKIP, startServer, testArgs } from './harness.mjs';

const { toonbox, artifacts } = testArgs('upscale_ui_test.mjs', join(process.cwd(), 'artifacts'));
const here = dirname(fileURLToPath(import.meta.url));
const shared = process.env.TOONBOX_SHARED_DIR || resolve(here, '../../../shared');
const esr = join(shared, 'models', 'realesr-animevideov3-ncnn');
if (!existsSync(join(esr, 'realesr-animevideov3.bin'))) {
  console.log(`SKIP: the shared realesr-animevideov3 weights are not in ${esr}`);
  process.exit(SKIP);
}
const { chromium, chromiumPath } = await chromiumOrSkip();

const work = mkdtempSync(join(tmpdir(), 'toonbox-upscale-ui-'));
mkdirSync(artifacts, { recursive: true });
const env = { ...process.env, TOONBOX_MODELS: join(work, 'models') };
for (const s of [2, 4]) {
  const r = spawnSync(toonbox, ['models', 'import', join(esr, `realesr-animevideov3-x${s}.param`)], { env, encoding: 'utf8' });
  check(r.status === 0, `realesr-animevideov3-x${s} imported`, r.stdout + r.stderr);
}
const files = { a: join(work, 'anna.png'), b: join(work, 'ben.png') };
writeFileSync(files.a, portrait(120, 150, 0));
writeFileSync(files.b, portrait(150, 100, 60));

const served = await startServer(toonbox, env);
const { base } = served;

let context;
try {
  // The API's refusals, before the page.
  const form = (fields) => {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    f.append('image', new Blob([readFileSync(files.a)]), 'anna.png');
    return f;
  };
  let r = await fetch(base + '/api/v1/upscale', { method: 'POST', body: form({ model: 'realesr-animevideov3-x2', scale: '3' }) });
  check(r.status === 400 && /upscales x2, not x3/.test(await r.text()), 'a scale the model does not make is a 400 saying so');
  r = await fetch(base + '/api/v1/upscale', { method: 'POST', body: form({ strength: '1' }) });
  check(r.status === 400 && /unknown parameter 'strength'/.test(await r.text()), 'an unknown parameter is a 400');
  r = await fetch(base + '/api/v1/upscale', { method: 'POST', body: form({ scale: '3' }) });
  check(r.status === 404, 'x3 without realesr-animevideov3-x3 installed is a 404', String(r.status));

  const opened = await openPage(chromium, chromiumPath, join(work, 'profile'), base);
  context = opened.context;
  const { page, foreign, pageErrors } = opened;

  await page.goto(base + '/');
  check(await page.locator('#scale').isHidden(), 'the upscale options are hidden while cartoonizing');
  await page.check('input[name=task][value=upscale]');
  check(await page.locator('#scale').isVisible(), 'picking Upscale shows the scale');
  check(await page.locator('#strength').isHidden() && await page.locator('#mode').isHidden(),
    'and hides the cartoonize-only options');
  await page.selectOption('#scale', '2');
  await page.setInputFiles('#file-input', [files.a, files.b]);
  check(await page.textContent('#run') === 'Upscale 2 images', 'the button says Upscale 2 images', await page.textContent('#run'));
  await page.click('#run');
  await page.waitForFunction(() => {
    const cards = [...document.querySelectorAll('.card')];
    return cards.length === 2 && cards.every((c) => c.dataset.state === 'done' || c.dataset.state === 'failed');
  }, null, { timeout: 120000 });
  const states = await page.$$eval('.card', (cs) => cs.map((c) => c.dataset.state));
  check(JSON.stringify(states) === '["done","done"]', 'both upscaled', JSON.stringify(states) +
    ' ' + (await page.$$eval('.card .error', (es) => es.map((e) => e.textContent))).join(' | '));
  const sizes = await page.$$eval('.card .after', (imgs) => imgs.map((i) => [i.naturalWidth, i.naturalHeight]));
  check(JSON.stringify(sizes) === '[[240,300],[300,200]]', 'each result is 2x its input', JSON.stringify(sizes));
  const meta = await page.textContent('.card[data-state=done] .meta');
  check(/240×300 · realesr-animevideov3-x2/.test(meta), 'the card names the size and the model', meta);

  await keepScreenshot(page, artifacts, 'upscale.png');
  const one = await downloadFirstCard(page, artifacts, 'anna-x2.png');
  check(one.isPng && one.width === 240 && one.height === 300, 'the downloaded PNG is 240x300');

  // Back to Cartoonize: its options return and the button says so.
  await page.check('input[name=task][value=cartoonize]');
  check(await page.locator('#strength').isVisible() && await page.locator('#scale').isHidden(), 'Cartoonize restores its options');
  check((await page.textContent('#run')).startsWith('Cartoonize'), 'and its button');
  check(foreign.length === 0, 'the page fetched nothing from anywhere else', foreign.join(', '));
  check(pageErrors.length === 0, 'no script errors', pageErrors.join('\n'));
} catch (e) {
  check(false, 'browser test ran to the end', e.stack || String(e));
} finally {
  await finish({ context, served, work });
}
