'use strict';
// Shared helpers: build and start Insikt, launch Debian's Chromium through playwright-core,
// run axe-core, check 320 px reflow and save screenshots.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const REPO = path.resolve(__dirname, '..', '..');
// INSIKT_BIN: a binary built elsewhere (e.g. a target directory shared by several checkouts).
const BIN = process.env.INSIKT_BIN || path.join(REPO, 'target', 'debug', 'insikt');
const SHOTS = path.join(REPO, 'target', 'screenshots');
const AXE = require.resolve('axe-core/axe.min.js');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let built = false;
/** `cargo build` once per process (a no-op when run.sh already built). */
function build() {
  if (built || process.env.INSIKT_SKIP_BUILD === '1') return;
  execFileSync('cargo', ['build', '--quiet', '--bin', 'insikt'], { cwd: REPO, stdio: 'inherit' });
  built = true;
}

/**
 * Start `insikt serve` on a free port with a fresh data dir; resolves when it listens.
 * `demo: 'true'` seeds the whole synthetic demo (answers, population table, accounts): the
 * resolved object's `accounts` then maps each demo username to its printed password.
 */
async function startApp({ surveysDir = path.join(REPO, 'surveys'), demo = 'surveys' } = {}) {
  build();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insikt-browser-'));
  const child = spawn(BIN, ['serve'], {
    cwd: REPO,
    env: {
      ...process.env,
      INSIKT_DATA_DIR: dataDir,
      INSIKT_BIND: '127.0.0.1:0',
      INSIKT_RATE_LIMIT: '0',
      INSIKT_SURVEYS_DIR: surveysDir,
      // By default the shipped questionnaires as open surveys, without the synthetic demo
      // answers: the tests answer, draw samples and read results on an instance they fill
      // themselves. The results tests with data ask for the seeded demo.
      INSIKT_DEMO: demo,
      RUST_LOG: process.env.RUST_LOG || 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never leave a server behind, even when the test process is interrupted.
  const reap = () => { if (child.exitCode === null) child.kill('SIGTERM'); };
  process.once('exit', reap);
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const info = await new Promise((resolve, reject) => {
    // Seeding the demo takes seconds in a release build, longer in a debug build on a busy machine.
    const limit = demo === 'true' ? 180 : 60;
    const timer = setTimeout(() => reject(new Error(`insikt did not start in ${limit} s\n${out}\n${err}`)), limit * 1000);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`insikt exited with ${code}\n${out}\n${err}`)); });
    child.stdout.on('data', (d) => {
      out += d;
      const url = out.match(/Insikt is running at (http:\/\/\S+)/);
      const pw = out.match(/username: admin\s+password: (\S+)/);
      // The demo's accounts are printed after the admin's, ending with this line.
      const demoDone = demo !== 'true' || /These passwords are shown only now/.test(out);
      if (url && pw && demoDone) {
        clearTimeout(timer);
        const accounts = {};
        for (const m of out.matchAll(/username: (\S+)\s+password: (\S+)/g)) accounts[m[1]] = m[2];
        resolve({ url: url[1].replace(/\/$/, ''), password: pw[1], accounts });
      }
    });
  });
  child.removeAllListeners('exit');
  return {
    ...info,
    dataDir,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => { child.once('exit', r); setTimeout(r, 5000); });
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A survey folder whose it-habits survey closed in 2020, for the 410 page. Uses port 0
 * (INSIKT_BIND=127.0.0.1:0): the OS picks a free port and the app prints the real one.
 */
function closedSurveysDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insikt-closed-'));
  fs.mkdirSync(path.join(dir, 'demo'));
  fs.copyFileSync(path.join(REPO, 'surveys', 'it-habits.toml'), path.join(dir, 'it-habits.toml'));
  fs.writeFileSync(path.join(dir, 'demo', 'options.toml'),
    '[it-habits]\nlisted = true\ncloses_at = "2020-01-01T00:00:00Z"\n'
    // A survey that keeps personal data publishes only with a privacy notice and a controller.
    + '[it-habits.privacy]\npurpose = { sv = "Statistik.", en = "Statistics." }\n'
    + 'controller = { sv = "Stockholms stad.", en = "City of Stockholm." }\n');
  return dir;
}

/**
 * Debian's Chromium (never a downloaded browser). The returned object's `newPage()` opens a
 * page in a context with bypassCSP, because the app's CSP (script-src 'self') would otherwise
 * block the injected axe-core script.
 */
async function launch() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    async newPage(options = {}) {
      const context = await browser.newContext({ bypassCSP: true, ...options });
      const page = await context.newPage();
      page.on('close', () => { context.close().catch(() => {}); });
      return page;
    },
    close: () => browser.close(),
  };
}

/** Run axe-core on the current page; returns the violations (WCAG 2.0/2.1 A and AA). */
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: AXE });
  }
  const result = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, AXE_TAGS);
  return result;
}

function describeViolations(name, violations) {
  return violations.map((v) => `[${name}] ${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.slice(0, 5).map((n) => `    ${n.target}\n      ${(n.summary || '').replace(/\n/g, '\n      ')}`).join('\n')).join('\n');
}

/** Horizontal overflow at the current viewport: [scrollWidth, clientWidth]. */
async function widths(page) {
  return page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
}

function safe(name) {
  return name.replace(/[^a-z0-9._-]+/gi, '-');
}

module.exports = {
  REPO, SHOTS, AXE_TAGS, startApp, closedSurveysDir, launch, axe, describeViolations, widths, safe,
};
