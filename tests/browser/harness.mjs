// What every page test shares: its command line, Chromium through playwright-core (or a
// clean skip, exit 77, saying what is missing), the ok/FAIL counting, and (for the task
// tests) starting the server, opening the page and finishing.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const SKIP = 77;

// [TOONBOX_BINARY, ARTIFACT_DIR] from the command line; exits 2 with a usage line without.
export function testArgs(script, defaultArtifacts) {
  const [toonbox, artifacts = defaultArtifacts] = process.argv.slice(2);
  if (!toonbox) {
    console.error(`usage: node ${script} TOONBOX_BINARY [ARTIFACT_DIR]`);
    process.exit(2);
  }
  return { toonbox, artifacts };
}

// playwright-core's chromium and the browser binary ($CHROMIUM or Debian's), or a skip.
export async function chromiumOrSkip() {
  const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) {
    console.log(`SKIP: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM=...)`);
    process.exit(SKIP);
  }
  try {
    const { chromium } = await import('playwright-core');
    return { chromium, chromiumPath };
  } catch (e) {
    console.log('SKIP: playwright-core is not installed (cd tests/browser && npm install)');
    process.exit(SKIP);
  }
}

// check(ok, what, detail) prints one line and counts it in `results`.
export const results = { passed: 0, failed: 0 };
export function check(ok, what, detail = '') {
  if (ok) { results.passed++; console.log(`ok   - ${what}`); }
  else { results.failed++; console.log(`FAIL - ${what}${detail ? ': ' + detail : ''}`); }
}

// `toonbox serve --port 0 --device cpu ARGS` with `env`, once it prints its address:
// { server, base, output() (everything it printed), exit (a promise of {code, signal}) }.
export async function startServer(toonbox, env, args = ['--model', 'classic']) {
  const server = spawn(toonbox, ['serve', '--port', '0', '--device', 'cpu', ...args], {
    env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  server.stdout.on('data', (d) => { out += d; });
  server.stderr.on('data', (d) => { out += d; });
  const exit = new Promise((res) => server.on('exit', (code, signal) => res({ code, signal })));
  const base = await new Promise((res, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start:\n' + out)), 30000);
    const poll = setInterval(() => {
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(t); clearInterval(poll); res(m[1]); }
    }, 50);
  });
  return { server, base, output: () => out, exit };
}

// Chromium with a fresh profile in `profileDir` and no background traffic (this machine has
// no network); `foreign` collects requests to anywhere but `base`, `pageErrors` script errors.
// `device` adds context options (a phone: { isMobile: true, hasTouch: true }).
export async function openPage(chromium, chromiumPath, profileDir, base, viewport = { width: 1280, height: 1000 }, device = {}) {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    acceptDownloads: true,
    viewport,
    ...device,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  const foreign = [], pageErrors = [];
  page.on('request', (q) => {
    const u = q.url();
    if (!u.startsWith(base + '/') && !u.startsWith('blob:') && !u.startsWith('data:')) foreign.push(u);
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return { context, page, foreign, pageErrors };
}

// The end of a page test: the browser closed, the server stopped (it must exit 0 on
// SIGTERM), `work` removed, the counts printed (with the server's output on a failure),
// and the exit status.
export async function finish({ context, served, work }) {
  if (context) await context.close().catch(() => {});
  served.server.kill('SIGTERM');
  const exit = await served.exit;
  check(exit.code === 0, 'server exits 0 on SIGTERM', JSON.stringify(exit));
  rmSync(work, { recursive: true, force: true });
  console.log(`${results.passed} passed, ${results.failed} failed`);
  if (results.failed) console.log('server output:\n' + served.output());
  process.exit(results.failed ? 1 : 0);
}

// A full-page screenshot kept as ARTIFACT_DIR/NAME (checked to exist).
export async function keepScreenshot(page, artifacts, name) {
  const shot = join(artifacts, name);
  await page.screenshot({ path: shot, fullPage: true });
  check(existsSync(shot), `screenshot kept at ${shot}`);
}

// Clicks the first finished card's Download, checks the file's name is `want`, saves it
// in ARTIFACT_DIR; returns its bytes and, for a PNG, its size (else width/height 0).
export async function downloadFirstCard(page, artifacts, want) {
  const [one] = await Promise.all([page.waitForEvent('download'),
    page.locator('.card[data-state=done] .download').first().click()]);
  check(one.suggestedFilename() === want, `the download is named ${want}`, one.suggestedFilename());
  const path = join(artifacts, one.suggestedFilename());
  await one.saveAs(path);
  const bytes = readFileSync(path);
  const isPng = bytes.subarray(1, 4).toString() === 'PNG';
  return { bytes, isPng, width: isPng ? bytes.readUInt32BE(16) : 0, height: isPng ? bytes.readUInt32BE(20) : 0 };
}
