// The web page of `toonbox serve` in headless Chromium (Debian's `chromium`, driven by
// playwright-core): status bar text, upload of several images, results shown with the
// before/after slider, one download and the zip of all, a corrupt file's error in plain
// words, and nothing fetched from anywhere but the server. Keeps a screenshot.
//
// usage: node serve_ui_test.mjs TOONBOX_BINARY ARTIFACT_DIR
// Exit 0 passed, 1 failed, 77 skipped (chromium or playwright-core missing: says which).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portrait, notAnImage } from './fixtures.mjs';
import { check, chromiumOrSkip, finish, openPage, startServer, testArgs } from './harness.mjs';

const { toonbox, artifacts } = testArgs('serve_ui_test.mjs', join(process.cwd(), 'artifacts'));
const { chromium, chromiumPath } = await chromiumOrSkip();

const work = mkdtempSync(join(tmpdir(), 'toonbox-ui-'));
mkdirSync(artifacts, { recursive: true });
const files = {
  a: join(work, 'anna.png'),
  b: join(work, 'ben.png'),
  bad: join(work, 'holiday.jpg'),
};
writeFileSync(files.a, portrait(320, 400, 0));
writeFileSync(files.b, portrait(400, 300, 60));
writeFileSync(files.bad, notAnImage);

// The server: built-in style on the CPU, an empty models folder, any free port.
const served = await startServer(toonbox, { ...process.env, TOONBOX_MODELS: join(work, 'models') });
const { base } = served;

let context;
try {
  // A fresh profile and no background traffic: this machine has no network.
  const opened = await openPage(chromium, chromiumPath, join(work, 'profile'), base, { width: 1280, height: 1100 });
  context = opened.context;
  const { page, foreign, pageErrors: consoleErrors } = opened;

  await page.goto(base + '/');
  const status = await (await fetch(base + '/api/v1/status')).json();
  await page.waitForFunction((want) => document.getElementById('status-text').textContent === want,
    status.status_line, { timeout: 15000 }).catch(() => {});
  const barText = await page.textContent('#status-text');
  check(barText === status.status_line, 'status bar shows the server\'s status line', barText);
  check(/^CPU: requested \(--device cpu\) — CPU, \d+ threads/.test(barText), 'status bar says CPU, requested', barText);
  check(await page.getAttribute('#doctor-link', 'href') === '/doctor', 'status bar links the doctor\'s report');
  check(await page.locator('#precision option[value=fp16]').isDisabled(), 'fp16 is greyed out on the CPU');
  check(await page.locator('#precision option[value=tf32]').isDisabled(), 'tf32 is greyed out on the CPU');
  check(await page.locator('#mode option[value=portrait]').isDisabled(), 'portrait mode is greyed out (no face detector installed)');
  check((await page.locator('#mode option[value=portrait]').getAttribute('title') || '').includes('toonbox models import'),
        'the greyed-out portrait option says how to install a detector');
  check(await page.locator('#mode').inputValue() === 'auto', 'mode defaults to auto');
  check((await page.locator('#model option').allTextContents()).some((t) => t.startsWith('classic')),
    'the style list has the built-in style');

  // Upload three files (two photos, one that is not an image) and run.
  await page.setInputFiles('#file-input', [files.a, files.b, files.bad]);
  check(await page.locator('.card').count() === 3, 'three cards after choosing three files');
  await page.click('#run');
  await page.waitForFunction(() => {
    const cards = [...document.querySelectorAll('.card')];
    return cards.length === 3 && cards.every((c) => c.dataset.state === 'done' || c.dataset.state === 'failed');
  }, null, { timeout: 60000 });
  const states = await page.$$eval('.card', (cs) => cs.map((c) => c.dataset.state));
  check(JSON.stringify(states) === '["done","done","failed"]', 'two results and one failure', JSON.stringify(states));
  const sizes = await page.$$eval('.card .after', (imgs) => imgs.map((i) => [i.naturalWidth, i.naturalHeight]));
  check(JSON.stringify(sizes.slice(0, 2)) === '[[320,400],[400,300]]', 'results are shown at their sizes', JSON.stringify(sizes));
  const errorText = await page.textContent('.card[data-state=failed] .error');
  check(/not an image toonbox can read/.test(errorText), 'the corrupt file\'s error is in plain words', errorText);
  check(/3 of 3 finished · 1 failed/.test(await page.textContent('#progress-text')), 'progress says 3 of 3 finished, 1 failed',
    await page.textContent('#progress-text'));

  // The before/after slider moves the divider and clips the original.
  const slider = page.locator('.card[data-state=done] .slider').first();
  await slider.evaluate((el) => { el.value = '20'; el.dispatchEvent(new Event('input')); });
  const clip = await page.locator('.card[data-state=done] .before').first().evaluate((el) => el.style.clipPath);
  check(clip === 'inset(0px 80% 0px 0px)' || clip === 'inset(0 80% 0 0)', 'the comparison slider clips the original', clip);
  await slider.evaluate((el) => { el.value = '55'; el.dispatchEvent(new Event('input')); });

  const shot = join(artifacts, 'serve.png');
  await page.screenshot({ path: shot });
  check(existsSync(shot), `screenshot kept at ${shot}`);

  // Download one result.
  const [one] = await Promise.all([page.waitForEvent('download'),
    page.locator('.card[data-state=done] .download').first().click()]);
  const onePath = join(artifacts, one.suggestedFilename());
  await one.saveAs(onePath);
  const oneBytes = readFileSync(onePath);
  check(one.suggestedFilename() === 'anna-toon.png', 'download is named after the upload', one.suggestedFilename());
  check(oneBytes.subarray(1, 4).toString() === 'PNG' && oneBytes.length > 1000, 'downloaded file is a PNG');

  // Download all as a zip: two stored entries, each a PNG.
  const [all] = await Promise.all([page.waitForEvent('download'), page.click('#download-all')]);
  const zipPath = join(artifacts, all.suggestedFilename());
  await all.saveAs(zipPath);
  const zip = readFileSync(zipPath);
  const entries = [];
  for (let o = 0; o + 30 <= zip.length && zip.readUInt32LE(o) === 0x04034b50;) {
    const size = zip.readUInt32LE(o + 18), nameLen = zip.readUInt16LE(o + 26);
    const name = zip.subarray(o + 30, o + 30 + nameLen).toString();
    const data = zip.subarray(o + 30 + nameLen, o + 30 + nameLen + size);
    entries.push({ name, png: data.subarray(1, 4).toString() === 'PNG' });
    o += 30 + nameLen + size;
  }
  check(all.suggestedFilename() === 'toonbox-results.zip', 'zip download named toonbox-results.zip');
  check(JSON.stringify(entries) === JSON.stringify([{ name: 'anna-toon.png', png: true }, { name: 'ben-toon.png', png: true }]),
    'zip holds both results as PNGs', JSON.stringify(entries));
  check(zip.readUInt32LE(zip.length - 22) === 0x06054b50, 'zip has its end record');

  // The doctor's report page opens.
  const doctor = await page.request.get(base + '/doctor');
  check(doctor.status() === 200 && /toonbox doctor/.test(await doctor.text()), 'doctor\'s report page opens');

  check(foreign.length === 0, 'the page fetched nothing from anywhere else', foreign.join(', '));
  check(consoleErrors.length === 0, 'no script errors', consoleErrors.join('\n'));
} catch (e) {
  check(false, 'browser test ran to the end', e.stack || String(e));
} finally {
  await finish({ context, served, work });
}
