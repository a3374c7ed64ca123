// What every page test shares: its command line, Chromium through playwright-core (or a
// clean skip, exit 77, saying what is missing), and the ok/FAIL counting.
import { existsSync } from 'node:fs';

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
