// The page's Erase mode in headless Chromium (Debian's `chromium`, driven by
// playwright-core): load a photo, paint one stroke with the mouse, press Erase, and check
// the result the page shows differs from the photo only under the stroke (and does differ
// there); undo and clear; the compare slider and the download. Keeps a screenshot.
//
// usage: node inpaint_ui_test.mjs TOONBOX_BINARY ARTIFACT_DIR
// Exit 0 passed, 1 failed, 77 skipped (chromium or playwright-core missing: says which).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { png } from './fixtures.mjs';
import { check, chromiumOrSkip, finish, openPage, startServer, testArgs } from './harness.mjs';

const { toonbox, artifacts } = testArgs('inpaint_ui_test.mjs', join(process.cwd(), 'artifacts'));
const { chromium, chromiumPath } = await chromiumOrSkip();

const W = 400, H = 300;
const work = mkdtempSync(join(tmpdir(), 'toonbox-erase-'));
mkdirSync(artifacts, { recursive: true });
const photoPath = join(work, 'street.png');
// A gradient with a dark bar across it: the stroke paints over the bar.
writeFileSync(photoPath, png(W, H, (x, y) => (y >= 140 && y < 152 ? [20, 20, 30]
  : [60 + (150 * x) / W, 90 + (100 * y) / H, 170].map(Math.round))));

const served = await startServer(toonbox, { ...process.env, TOONBOX_MODELS: join(work, 'models') });
const { base } = served;

// Pixels of an <img> or <canvas> in the page, as RGBA.
async function pixels(page, selector) {
  return page.evaluate(async (sel) => {
    const el = document.querySelector(sel);
    if (el.tagName === 'IMG' && !el.complete) await new Promise((r) => { el.onload = r; });
    const c = document.createElement('canvas');
    c.width = el.naturalWidth || el.width;
    c.height = el.naturalHeight || el.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(el, 0, 0);
    return { w: c.width, h: c.height, data: Array.from(ctx.getImageData(0, 0, c.width, c.height).data) };
  }, selector);
}

async function setRange(page, selector, value) {
  await page.$eval(selector, (e, v) => { e.value = String(v); e.dispatchEvent(new Event('input')); }, value);
}

let context;
try {
  const opened = await openPage(chromium, chromiumPath, join(work, 'profile'), base, { width: 1000, height: 1100 });
  context = opened.context;
  const { page, pageErrors: consoleErrors } = opened;
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await page.goto(base + '/');
  await page.click('#mode-erase');
  check(await page.isVisible('#erase-panel'), 'Erase mode shows its panel');
  check(!(await page.isVisible('#drop')), 'and hides the cartoonize panel');
  await page.setInputFiles('#erase-file', photoPath);
  await page.waitForSelector('#erase-stage:not([hidden])');
  check(await page.isDisabled('#erase-run'), 'nothing painted yet: Erase is disabled');

  // A brush 32 photo pixels wide (the bar is 12) along the bar, from x = 25% to 75%.
  const box = await page.locator('#erase-overlay').boundingBox();
  const scale = W / box.width;  // photo pixels per display pixel
  const brush = Math.round(32 / scale);
  await setRange(page, '#erase-size', brush);
  // Mouse positions are relative to the viewport, which a click may have scrolled: the
  // canvas is measured again before each stroke.
  const paint = async (from, to) => {
    const now = await page.locator('#erase-overlay').boundingBox();
    const at = (fx, fy) => [now.x + fx * now.width, now.y + fy * now.height];
    await page.mouse.move(...at(...from));
    await page.mouse.down();
    for (let k = 1; k <= 20; k++) {
      const t = k / 20;
      await page.mouse.move(...at(from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t));
    }
    await page.mouse.up();
  };
  // A stray stroke, undone; then the real one.
  await paint([0.1, 0.1], [0.2, 0.2]);
  check(!(await page.isDisabled('#erase-undo')), 'a stroke enables undo');
  await page.click('#erase-undo');
  check(await page.isDisabled('#erase-run'), 'undo removed it');
  const y = 146 / H;
  await paint([0.25, y], [0.75, y]);
  check(!(await page.isDisabled('#erase-run')), 'a stroke enables Erase');
  await page.click('#erase-run');
  await page.waitForSelector('#erase-result:not([hidden])', { timeout: 60000 });
  await page.waitForFunction(() => document.querySelector('#erase-after').complete &&
    document.querySelector('#erase-after').naturalWidth > 0);

  const before = await pixels(page, '#erase-before');
  const after = await pixels(page, '#erase-after');
  check(after.w === W && after.h === H, 'the result has the photo\'s size', `${after.w}x${after.h}`);
  // The stroke: a capsule of half the brush around the segment.
  const r = (brush / 2) * scale, x0 = 0.25 * W, x1 = 0.75 * W, yc = y * H;
  const near = (x, yy, pad) => {
    const cx = Math.min(Math.max(x, x0), x1);
    return Math.hypot(x - cx, yy - yc) <= r + pad;
  };
  let outside = 0, inside = 0, underStroke = 0;
  for (let yy = 0; yy < H; yy++)
    for (let x = 0; x < W; x++) {
      const i = (yy * W + x) * 4;
      const differs = [0, 1, 2].some((c) => before.data[i + c] !== after.data[i + c]);
      if (near(x + 0.5, yy + 0.5, -1.5)) underStroke++;
      if (!differs) continue;
      if (near(x + 0.5, yy + 0.5, 1.5)) inside++; else outside++;
    }
  check(outside === 0, 'the result differs from the photo only under the stroke', `${outside} pixels outside`);
  check(inside > underStroke * 0.5, 'and does differ under it (the dark bar was filled)', `${inside} of ${underStroke}`);
  const filled = Number(await page.getAttribute('#erase-result', 'data-filled'));
  check(filled > underStroke * 0.8 && filled < underStroke * 1.6, 'the server filled about the painted area',
    `${filled} vs ${underStroke}`);
  // The bar is gone under the stroke: the middle of the stroke is light now.
  const mid = (Math.round(yc) * W + W / 2) * 4;
  check(after.data[mid] > 60 && before.data[mid] < 40, 'the dark bar is gone under the stroke',
    `${before.data[mid]} -> ${after.data[mid]}`);

  await setRange(page, '#erase-slider', 20);
  const clip = await page.$eval('#erase-before', (e) => e.style.clipPath);
  check(clip === 'inset(0px 80% 0px 0px)' || clip === 'inset(0 80% 0 0)', 'the slider moves the before/after split', clip);
  const shot = join(artifacts, 'inpaint_ui.png');
  await page.screenshot({ path: shot, fullPage: true });
  check(existsSync(shot), `screenshot kept at ${shot}`);

  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#erase-download')]);
  const dlPath = join(artifacts, dl.suggestedFilename());
  await dl.saveAs(dlPath);
  check(dl.suggestedFilename() === 'street-clean.png', 'download is named after the photo', dl.suggestedFilename());
  check(readFileSync(dlPath).subarray(1, 4).toString() === 'PNG', 'downloaded file is a PNG');

  await page.click('#erase-clear');
  check(await page.isDisabled('#erase-run'), 'clear removes every stroke');
  await page.click('#mode-cartoonize');
  check(await page.isVisible('#drop') && !(await page.isVisible('#erase-panel')), 'back to Cartoonize');
  check(consoleErrors.length === 0, 'no script errors', consoleErrors.join('\n'));
} catch (e) {
  check(false, 'browser test ran to the end', e.stack || String(e));
} finally {
  await finish({ context, served, work });
}
