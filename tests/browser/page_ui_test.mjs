// The page's issue-20 items in headless Chromium, each checked by what it does: the
// examples gallery (images drawn by code, said so), licences shown without hovering,
// per-image progress with a spinner and an elapsed time that counts for one long image,
// the before/after handle dragged with the mouse, with a finger and moved with the keys,
// the full-size view (100 %, scrolls, Esc closes), two styles side by side, re-running one
// image, the server-built zip (unzipped by Python's zipfile, dated now), results and
// options that survive a reload and a Clear that forgets them, Cancel (DELETE, "cancelled",
// polling stops), and on a phone a status bar that covers nothing. Desktop 1280x800, phone
// 390x844 (touch); screenshots in ARTIFACT_DIR (page-*.png).
//
// usage: node page_ui_test.mjs TOONBOX_BINARY ARTIFACT_DIR
// Exit 0 passed, 1 failed, 77 skipped (chromium or playwright-core missing: says which).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portrait } from './fixtures.mjs';
import { check, chromiumOrSkip, finish, keepScreenshot, openPage, startServer, testArgs } from './harness.mjs';

const { toonbox, artifacts } = testArgs('page_ui_test.mjs', join(process.cwd(), 'artifacts'));
const { chromium, chromiumPath } = await chromiumOrSkip();

const work = mkdtempSync(join(tmpdir(), 'toonbox-page-'));
mkdirSync(artifacts, { recursive: true });
const files = [];
for (let i = 0; i < 4; i++) {
  files.push(join(work, `batch${i}.png`));
  // Different sizes: same-size images would run together as one device batch, and Cancel
  // only reaches the images not started.
  writeFileSync(files[i], portrait(360 + 8 * i, 300, 40 * i));
}

const served = await startServer(toonbox, { ...process.env, TOONBOX_MODELS: join(work, 'models') });
const { base } = served;
const models = await (await fetch(base + '/api/v1/models')).json();
const classic = models.models.find((m) => m.name === 'classic');

// Python's zipfile: names, CRCs, dates (epoch seconds, local time as zip dates are).
function unzip(path) {
  const py = 'import json,sys,time,zipfile\nz=zipfile.ZipFile(sys.argv[1])\n' +
    'print(json.dumps({"bad":z.testzip(),"entries":[[i.filename,time.mktime(i.date_time+(0,0,-1))] for i in z.infolist()]}))';
  const r = spawnSync('python3', ['-c', py, path], { encoding: 'utf8' });
  return r.status === 0 ? JSON.parse(r.stdout) : { error: r.stderr };
}

// The mean absolute difference of two <img>s' pixels (same size), drawn on canvases.
const imageDiff = (page, a, b) => page.evaluate(([sa, sb]) => {
  const px = (img) => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    return ctx.getImageData(0, 0, c.width, c.height).data;
  };
  const ia = document.querySelector(sa), ib = document.querySelector(sb);
  if (!ia || !ib || !ia.naturalWidth || ia.naturalWidth !== ib.naturalWidth || ia.naturalHeight !== ib.naturalHeight) return -1;
  const da = px(ia), db = px(ib);
  let sum = 0;
  for (let i = 0; i < da.length; i++) sum += Math.abs(da[i] - db[i]);
  return sum / da.length;
}, [a, b]);

// Where the split is, in percent of the width: the divider's position, checked against the
// original's clip (inset(0 R% 0 0) shows the original up to 100 - R %); NaN if they differ.
const clipPercent = (page, card) => page.locator(card).first().evaluate((c) => {
  const left = parseFloat(c.querySelector('.divider').style.left);
  const m = /inset\(0(?:px)? ([\d.]+)%/.exec(c.querySelector('.before').style.clipPath);
  return m && Math.abs(100 - Number(m[1]) - left) < 0.01 ? left : NaN;
});

const waitDone = (page, selector, timeout = 60000) => page.waitForFunction((sel) => {
  const cards = [...document.querySelectorAll(sel)];
  return cards.length > 0 && cards.every((c) => ['done', 'failed', 'cancelled'].includes(c.dataset.state)) &&
    !document.getElementById('run').disabled;
}, selector, { timeout });

let context;
let requests = [];
try {
  // ================= desktop =================
  const opened = await openPage(chromium, chromiumPath, join(work, 'profile'), base, { width: 1280, height: 800 });
  context = opened.context;
  const { page, foreign, pageErrors } = opened;
  page.on('request', (q) => requests.push({ method: q.method(), url: q.url(), at: Date.now() }));
  await page.goto(base + '/');
  await page.waitForFunction(() => document.querySelectorAll('#model option').length > 0 &&
    document.getElementById('style-licence').textContent.length > 0, null, { timeout: 15000 });

  // Licences without hovering: the chosen style's licence is on the page, visible.
  const licence = page.locator('#style-licence');
  check(await licence.isVisible(), 'the style\'s licence line is visible');
  // The built-in style has no model licence (the API gives ""): the page says whose it is.
  const wanted = classic.kind === 'builtin' ? 'licence: part of toonbox' : 'licence: ' + classic.licence;
  check((await licence.textContent()).includes(wanted),
    'it says the licence the API gives', `${await licence.textContent()} vs ${wanted}`);

  // The examples: drawn by code, said so, a click adds one.
  check(await page.locator('#examples .example').count() === 3, 'three examples in the gallery');
  check(/drawn by this page's own code/.test(await page.textContent('#examples')) &&
        /not photos of people/.test(await page.textContent('#examples')), 'the gallery says the examples are synthetic');
  await page.locator('#examples .example').first().click();
  await page.waitForFunction(() => document.querySelectorAll('.card').length === 1 &&
    document.querySelector('.card .before').naturalWidth > 0);
  check(await page.textContent('.card .name') === 'example-sunset.png', 'the example became an image to process');
  check(await page.locator('.card .before').evaluate((i) => [i.naturalWidth, i.naturalHeight].join('x')) === '480x600',
    'the example is a 480x600 image');

  // One long image (the output at 4096 px): a spinner, "processing…" and an elapsed time
  // that counts. How long it runs depends on the machine (0.5 s on a quiet 2-core one, more
  // on CI), so the page records what it shows every 40 ms while the card is running, and
  // the checks read that record instead of sampling at fixed delays.
  await page.selectOption('#long_side', '4096');
  await page.evaluate(() => {
    window.runningSeen = [];
    window.recorder = setInterval(() => {
      const card = document.querySelector('.card');
      if (!card || card.dataset.state !== 'running') return;
      const spinner = card.querySelector('.spinner');
      const cancel = document.getElementById('cancel');
      window.runningSeen.push({
        state: card.querySelector('.state').textContent,
        elapsed: card.querySelector('.elapsed').textContent,
        progress: document.getElementById('progress-text').textContent,
        spinner: spinner.offsetParent !== null ? getComputedStyle(spinner).animationName : 'hidden',
        cancel: !cancel.hidden && cancel.offsetParent !== null,
      });
    }, 40);
  });
  await page.click('#run');
  await page.waitForFunction(() => document.querySelector('.card').dataset.state === 'running', null, { timeout: 20000 });
  await keepScreenshot(page, artifacts, 'page-desktop-progress.png');
  const spinner = page.locator('.card .spinner');
  await waitDone(page, '.card', 120000);
  check(await page.getAttribute('.card', 'data-state') === 'done', 'the long image finished');
  const seen = await page.evaluate(() => { clearInterval(window.recorder); return window.runningSeen; });
  const secs = (t) => Number((/([\d.]+) s/.exec(t) || [])[1]);
  check(seen.length >= 3, 'the page showed the image running for a while', `${seen.length} looks at 40 ms`);
  check(seen.length > 0 && seen.every((v) => v.spinner !== 'hidden'), 'a spinner turns while the image runs', JSON.stringify(seen[0]));
  check(seen.length > 0 && seen.every((v) => v.spinner === 'spin'), 'the spinner is animated', JSON.stringify(seen[0]));
  check(seen.length > 0 && seen.every((v) => /processing/.test(v.state)), 'the card says processing…', JSON.stringify(seen[0]));
  const timed = seen.filter((v) => !Number.isNaN(secs(v.elapsed)));
  const first = timed[0] || {}, last = timed[timed.length - 1] || {};
  check(secs(last.elapsed) > secs(first.elapsed), 'the elapsed time counts up while the one image runs',
    `${first.elapsed} then ${last.elapsed}`);
  check(seen.some((v) => /0 of 1 finished · 1 processing · [\d.]+ s/.test(v.progress)),
    'progress says 0 of 1, 1 processing, and the time', JSON.stringify(seen.map((v) => v.progress)));
  check(seen.length > 0 && seen.every((v) => v.cancel), 'Cancel is offered while running');
  check(!(await spinner.isVisible()), 'the spinner stops when it is done');
  check(/in all/.test(await page.textContent('.card .meta')), 'the card says how long it took in all', await page.textContent('.card .meta'));

  // Full size: 100 %, scrolls, Esc closes.
  await page.click('.card .full-size');
  const viewer = page.locator('#viewer');
  check(await viewer.isVisible(), 'Full size opens the overlay');
  await page.waitForFunction(() => document.getElementById('viewer-img').naturalWidth > 0);
  const sizes = await page.evaluate(() => {
    const i = document.getElementById('viewer-img'), s = document.getElementById('viewer-scroll');
    return { nw: i.naturalWidth, nh: i.naturalHeight, w: i.getBoundingClientRect().width, h: i.getBoundingClientRect().height,
      sh: s.scrollHeight, ch: s.clientHeight };
  });
  check(sizes.nh === 4096 && Math.abs(sizes.w - sizes.nw) < 1 && Math.abs(sizes.h - sizes.nh) < 1,
    'the result is shown at 100 % (one image pixel per CSS pixel)', JSON.stringify(sizes));
  check(sizes.sh > sizes.ch, 'the overlay scrolls to the rest of the image', JSON.stringify(sizes));
  await page.locator('#viewer-scroll').evaluate((s) => { s.scrollTop = 1500; });
  check(await page.locator('#viewer-scroll').evaluate((s) => s.scrollTop) === 1500, 'and it does scroll');
  await page.screenshot({ path: join(artifacts, 'page-desktop-fullsize.png') });
  await page.click('#viewer-toggle');
  check(await page.getAttribute('#viewer-img', 'alt') === 'original: example-sunset.png', 'the overlay also shows the original');
  await page.keyboard.press('Escape');
  check(await viewer.isHidden(), 'Esc closes the full-size view');

  // Back to the input's size for the rest (fast). Re-run the one image at 60 % strength.
  await page.selectOption('#long_side', '0');
  await page.locator('#strength').evaluate((el) => { el.value = '60'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  const firstJob = await page.locator('.card .download').getAttribute('href');
  await page.click('.card .rerun');
  await waitDone(page, '.card');
  const meta = await page.textContent('.card .meta');
  check(/^480×600 · classic · 60 %/.test(meta), 'Re-run ran the one image again with the new settings', meta);
  check(await page.locator('.card .download').getAttribute('href') !== firstJob, 'and the card shows the new result');

  // The before/after handle: visible; dragged with the mouse; moved with the keys.
  const card = '.card[data-state=done]';
  const handle = page.locator(card + ' .handle');
  check(await handle.isVisible(), 'the slider\'s handle is visible');
  const box = await page.locator(card + ' .compare').boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.6, { steps: 3 });
  await page.mouse.up();
  const dragged = await clipPercent(page, card);
  check(Math.abs(dragged - 25) < 1.5, 'dragging with the mouse moves the split to the pointer (25 %)', dragged);
  const hb = await handle.boundingBox();
  check(Math.abs(hb.x + hb.width / 2 - (box.x + box.width * 0.25)) < 3, 'the handle follows the pointer',
    `${hb.x + hb.width / 2} vs ${box.x + box.width * 0.25}`);
  await page.focus(card + ' .slider');
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  const keyed = await clipPercent(page, card);
  check(Math.abs(keyed - (Math.round(dragged) + 10)) < 0.6, 'the arrow keys move it too (+10)', `${dragged} -> ${keyed}`);
  await page.keyboard.press('End');
  check(await clipPercent(page, card) === 100, 'End shows the whole original');
  await page.keyboard.press('Home');
  check(await clipPercent(page, card) === 0, 'Home shows the whole result');
  await page.locator(card + ' .slider').evaluate((el) => { el.value = '50'; el.dispatchEvent(new Event('input')); });

  // Two styles side by side: the second at 20 % strength, beside the 60 % one.
  await page.click(card + ' .compare-styles');
  await page.locator(card + ' .strength-b').evaluate((el) => { el.value = '20'; el.dispatchEvent(new Event('input')); });
  await page.click(card + ' .run-b');
  await page.waitForFunction(() => ['done', 'failed'].includes(document.querySelector('.side-b').dataset.state) &&
    !document.getElementById('run').disabled, null, { timeout: 60000 });
  const captions = await page.$$eval('.side figcaption', (f) => f.map((x) => x.textContent));
  check(JSON.stringify(captions) === '["classic · 60 %","classic · 20 %"]', 'the two results are captioned by their settings', JSON.stringify(captions));
  const sideBox = await page.$$eval('.side', (f) => f.map((x) => { const r = x.getBoundingClientRect(); return [r.left, r.top, r.width]; }));
  check(sideBox.length === 2 && Math.abs(sideBox[0][1] - sideBox[1][1]) < 1 && sideBox[1][0] > sideBox[0][0] + sideBox[0][2] - 1,
    'and shown side by side', JSON.stringify(sideBox));
  const styleDiff = await imageDiff(page, '.side-a img', '.side-b img');
  check(styleDiff > 1, 'the two styles\' results differ', styleDiff);
  await page.locator(card).scrollIntoViewIfNeeded();
  await keepScreenshot(page, artifacts, 'page-desktop-styles.png');

  // A second image from a file, then Download all: the server's zip, unzipped.
  await page.setInputFiles('#file-input', [files[0]]);
  await page.click('#run');
  await waitDone(page, '.card');
  requests = [];
  const [zipDl] = await Promise.all([page.waitForEvent('download'), page.click('#download-all')]);
  const zipPath = join(artifacts, 'page-results.zip');
  await zipDl.saveAs(zipPath);
  check(requests.some((q) => q.method === 'GET' && /\/api\/v1\/results\.zip\?items=[0-9a-f]+%3A\d+%2C[0-9a-f]+%3A\d+$/.test(q.url)),
    'Download all asks the server for the zip of the two results', JSON.stringify(requests.map((q) => q.url)));
  const z = unzip(zipPath);
  const now = Date.now() / 1000;
  check(z.bad === null && JSON.stringify((z.entries || []).map((e) => e[0])) === '["example-sunset-toon.png","batch0-toon.png"]',
    'the zip holds both results, CRCs good', JSON.stringify(z));
  check((z.entries || []).every((e) => e[1] > now - 300 && e[1] < now + 2), 'its entries are dated today, not 1980',
    JSON.stringify(z.entries));

  // A reload: the cards, their results and the options come back.
  const before = await page.$$eval('.card', (cs) => cs.map((c) => [c.querySelector('.name').textContent, c.querySelector('.meta').textContent]));
  // Saving is asynchronous: wait until the note counts both.
  await page.waitForFunction(() => /^2 results kept/.test(document.getElementById('saved-note').textContent));
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('.card[data-restored=true]').length === 2 &&
    [...document.querySelectorAll('.card .after')].every((i) => i.naturalWidth > 0), null, { timeout: 15000 });
  const after = await page.$$eval('.card', (cs) => cs.map((c) => [c.querySelector('.name').textContent, c.querySelector('.meta').textContent]));
  check(JSON.stringify(after) === JSON.stringify(before), 'after a reload the same results are shown', JSON.stringify(after));
  check(await page.locator('#strength').inputValue() === '60', 'and the options are kept (strength 60 %)');
  check(/2 results kept in this browser/.test(await page.textContent('#saved-note')), 'the page says what it keeps');
  check(await page.locator('.card[data-state=done] .download').count() === 2, 'restored results can be downloaded');
  const [zip2] = await Promise.all([page.waitForEvent('download'), page.click('#download-all')]);
  const zip2Path = join(work, 'again.zip');
  await zip2.saveAs(zip2Path);
  check(unzip(zip2Path).bad === null, 'and zipped by the server after the reload');
  await keepScreenshot(page, artifacts, 'page-desktop-restored.png');
  await page.click('#clear');
  await page.waitForFunction(() => document.getElementById('saved-note').hidden);
  await page.reload();
  await page.waitForTimeout(800);
  check(await page.locator('.card').count() === 0, 'Clear forgets the kept results (none after another reload)');

  // Cancel: four images at 2048 px, cancelled while the first runs.
  await page.setInputFiles('#file-input', files);
  await page.selectOption('#long_side', '2048');
  await page.click('#run');
  await page.waitForFunction(() => [...document.querySelectorAll('.card')].some((c) => c.dataset.state === 'running'), null, { timeout: 20000 });
  requests = [];
  // The server's answer to the DELETE says what it could still cancel: how many images
  // were already on a worker depends on how many workers this machine's cores give.
  // (Read through a route: Playwright may not hand out the body of a seen response.)
  let atCancel = {};
  await page.route('**/api/v1/jobs/*', async (route) => {
    if (route.request().method() !== 'DELETE') return route.continue();
    const response = await route.fetch();
    atCancel = await response.json();
    await route.fulfill({ response });
  });
  await page.click('#cancel');
  await page.waitForFunction(() => !document.getElementById('run').disabled, null, { timeout: 10000 });
  await page.unroute('**/api/v1/jobs/*');
  const states = await page.$$eval('.card', (cs) => cs.map((c) => c.dataset.state + ':' + c.querySelector('.state').textContent));
  check(states.filter((s) => s === 'cancelled:cancelled').length >= 3, 'the images not finished say cancelled', JSON.stringify(states));
  const del = requests.find((q) => q.method === 'DELETE');
  check(!!del && /\/api\/v1\/jobs\/[0-9a-f]+$/.test(del.url), 'Cancel sent DELETE /api/v1/jobs/{id}', JSON.stringify(requests));
  const jobUrl = del ? del.url : '';
  const pollsAt = Date.now();
  await page.waitForTimeout(1500);
  check(!requests.some((q) => q.method === 'GET' && q.url === jobUrl && q.at > pollsAt), 'and the page stopped polling the job');
  // Not yet on a worker when the DELETE came (waiting, being decoded, queued): these must
  // end cancelled; the ones a worker had taken finish.
  let jobState = {};
  for (let tries = 0; tries < 100; ++tries) {  // the images on a worker finish first
    jobState = await (await fetch(jobUrl)).json();
    if (jobState.state !== 'running') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const finalState = new Map((jobState.items || []).map((i) => [i.index, i.state]));
  const notStarted = (atCancel.items || []).filter((i) => i.state !== 'running' && i.state !== 'done');
  check(notStarted.length >= 1 && notStarted.every((i) => finalState.get(i.index) === 'cancelled') &&
    jobState.done + jobState.cancelled === 4,
    'the server cancelled the images that had not started',
    JSON.stringify(atCancel.items) + ' then ' + JSON.stringify([...finalState]));
  check(!(await page.locator('#cancel').isVisible()), 'Cancel goes away when nothing runs');
  check(await page.locator('.card[data-state=cancelled] .rerun').first().isVisible(), 'a cancelled image can be re-run');
  await keepScreenshot(page, artifacts, 'page-desktop-cancelled.png');
  await page.click('#clear');
  check(foreign.length === 0, 'the page fetched nothing from anywhere else', foreign.join(', '));
  check(pageErrors.length === 0, 'no script errors (desktop)', pageErrors.join('\n'));
  await context.close();

  // ================= phone =================
  const phone = await openPage(chromium, chromiumPath, join(work, 'phone-profile'), base, { width: 390, height: 844 },
    { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  context = phone.context;
  const p = phone.page;
  await p.goto(base + '/');
  await p.waitForFunction(() => document.querySelectorAll('#model option').length > 0);
  check(await p.locator('#style-licence').isVisible(), 'phone: the licence line is visible');
  await p.locator('#examples .example').nth(1).tap();
  await p.waitForFunction(() => document.querySelectorAll('.card').length === 1);
  await p.setInputFiles('#file-input', [files[1]]);
  await p.locator('#run').tap();
  await waitDone(p, '.card');
  check(await p.locator('.card[data-state=done]').count() === 2, 'phone: both images done');

  // The status bar covers nothing: each card and button, scrolled to the bottom edge of
  // the screen, is what is under a point just inside its bottom edge.
  const covered = await p.evaluate(async () => {
    const out = [];
    for (const el of [...document.querySelectorAll('.card'), document.getElementById('run'), document.getElementById('examples')]) {
      el.scrollIntoView({ block: 'end' });
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const r = el.getBoundingClientRect();
      const y = Math.min(r.bottom, innerHeight) - 4, x = r.left + r.width / 2;
      const hit = document.elementFromPoint(x, y);
      if (!hit || !el.contains(hit)) out.push(`${el.id || el.className} at y=${Math.round(y)} is under ${hit ? hit.id || hit.className : 'nothing'}`);
    }
    return out;
  });
  check(covered.length === 0, 'phone: the status bar covers no card or button', covered.join('; '));
  const bar = await p.locator('#status-bar').boundingBox();
  const mainBox = await p.locator('main').boundingBox();
  check(bar.y >= mainBox.y + mainBox.height - 1, 'phone: the status bar comes after the content', `${bar.y} vs ${mainBox.y + mainBox.height}`);
  await p.evaluate(() => window.scrollTo(0, 0));
  await p.screenshot({ path: join(artifacts, 'page-phone-top.png') });
  await keepScreenshot(p, artifacts, 'page-phone.png');

  // A finger drags the handle (touch events through the DevTools protocol: pointer
  // events of type touch, as a phone sends them).
  const pc = '.card[data-state=done]';
  await p.locator(pc).first().scrollIntoViewIfNeeded();
  const tb = await p.locator(pc + ' .compare').first().boundingBox();
  const cdp = await context.newCDPSession(p);
  const touch = (type, x) => cdp.send('Input.dispatchTouchEvent', {
    type, touchPoints: type === 'touchEnd' ? [] : [{ x, y: tb.y + tb.height / 2 }] });
  await touch('touchStart', tb.x + tb.width * 0.5);
  for (const f of [0.6, 0.7, 0.8]) await touch('touchMove', tb.x + tb.width * f);
  await touch('touchEnd');
  const touched = await clipPercent(p, pc);
  check(Math.abs(touched - 80) < 2, 'phone: a finger drags the split (to 80 %)', touched);

  // Full size on the phone: wider than the screen, scrolls sideways. (click, not tap:
  // after the DevTools touch sequence above, Playwright's taps no longer reached buttons.)
  await p.locator(pc + ' .full-size').first().click();
  await p.waitForFunction(() => document.getElementById('viewer-img').naturalWidth > 0);
  const pv = await p.evaluate(() => { const s = document.getElementById('viewer-scroll'); return [s.scrollWidth, s.clientWidth]; });
  check(pv[0] > pv[1], 'phone: the full-size view scrolls sideways', JSON.stringify(pv));
  await p.screenshot({ path: join(artifacts, 'page-phone-fullsize.png') });
  await p.locator('#viewer-close').click();
  check(await p.locator('#viewer').isHidden(), 'phone: Close closes the full-size view');
  check(phone.pageErrors.length === 0, 'no script errors (phone)', phone.pageErrors.join('\n'));
} catch (e) {
  check(false, 'browser test ran to the end', e.stack || String(e));
} finally {
  await finish({ context, served, work });
}
