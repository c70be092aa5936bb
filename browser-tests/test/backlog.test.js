'use strict';
// The backlog's catalogue and benefits follow-up pages on an instance with the seeded demo
// (INSIKT_DEMO=true: the candidate areas, the launched preschool area with its frozen prediction
// and first-year follow-up, the demo accounts), logged in as the demo researcher: the area list,
// an area page, the follow-up page and the summary over launched areas — axe-core (WCAG 2.0/2.1
// A + AA), no horizontal scroll at 320 px, screenshots in target/screenshots/ — and a follow-up
// recorded with the keyboard alone (Tab, typing, Enter).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startApp, launch } = require('./helpers');
const { checkPage, press } = require('./pages');

let app;
let browser;
before(async () => {
  app = await startApp({ demo: 'true' });
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  if (app) await app.stop();
});

const focusedId = (page) => page.evaluate(() => document.activeElement && document.activeElement.id);

/** Tab until the element with `id` has focus (at most 300 steps). */
async function tabTo(page, id) {
  for (let i = 0; i < 300; i += 1) {
    await page.keyboard.press('Tab');
    if ((await focusedId(page)) === id) return;
  }
  assert.fail(`Tab never reached #${id}`);
}

test('backlog catalogue and benefits follow-up pages, and a follow-up by keyboard', async (t) => {
  assert.ok(app.accounts.researcher, 'the demo prints the researcher account');
  const page = await browser.newPage();
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Användarnamn').fill('researcher');
  await page.getByLabel('Lösenord').fill(app.accounts.researcher);
  await press(page, 'Logga in');

  await page.goto(`${app.url}/backlog/areas`);
  assert.ok((await page.locator('tbody tr').count()) >= 10, 'the demo areas are listed');
  await checkPage(t, page, 'backlog-areas');

  await page.goto(`${app.url}/backlog/areas/preschool`);
  assert.equal(await page.locator('h1').innerText(), 'Ansöka om förskoleplats');
  await checkPage(t, page, 'backlog-area');

  await page.goto(`${app.url}/backlog/areas/preschool/followup`);
  assert.ok((await page.locator('svg.chart').count()) >= 1, 'the comparison chart');
  assert.match(await page.locator('main').innerText(), /förutsagda intervallet/);
  await checkPage(t, page, 'backlog-followup');

  // Keyboard only: every field reached with Tab and typed into, the form sent with Enter.
  const fields = [
    ['measured_on', '2026-03-01'], ['period_from', '2025-12-01'], ['period_to', '2026-02-28'],
    ['volume_phone', '400'], ['volume_email', '80'], ['volume_letter', '200'],
    ['volume_visit', '70'], ['volume_web', '7400'],
  ];
  for (const [id, value] of fields) {
    await tabTo(page, id);
    await page.keyboard.type(value);
  }
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.match(page.url(), /\/backlog\/areas\/preschool\/followup$/);
  assert.equal(await page.locator('section h3').count(), 2, 'the second follow-up is shown');

  // A refused follow-up: the error summary, then the field, reached from its link by keyboard.
  await tabTo(page, 'volume_phone');
  await page.keyboard.type('-1');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(await page.locator('.error-summary a[href="#volume_phone"]').count(), 1);
  await checkPage(t, page, 'backlog-followup-error');

  await page.goto(`${app.url}/backlog/followup`);
  assert.match(await page.locator('main').innerText(), /Sammanlagd realiserad besparing/);
  await checkPage(t, page, 'backlog-followup-summary');
});

// The management view as the demo manager sees it: the ranked backlog with its score-breakdown
// and rank-interval charts, an area's evidence page (reached with the keyboard alone) with its
// equity section and every group comparison opened by keyboard, the printable report and the
// published snapshot — axe-core, 320 px and screenshots for each.
test('the management view, an evidence page reached by keyboard, the report and a snapshot', async (t) => {
  assert.ok(app.accounts.manager, 'the demo prints the manager account');
  const page = await browser.newPage();
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Användarnamn').fill('manager');
  await page.getByLabel('Lösenord').fill(app.accounts.manager);
  await press(page, 'Logga in');

  await page.goto(`${app.url}/backlog`);
  assert.ok((await page.locator('svg.chart').count()) >= 2, 'the breakdown and rank-interval charts');
  const evidence = page.locator('a[href$="/evidence"]');
  assert.ok((await evidence.count()) >= 10, 'every ranked area links its evidence');
  await checkPage(t, page, 'backlog-management');

  // Keyboard only: Tab to the first area's evidence link and follow it with Enter.
  const href = await evidence.first().getAttribute('href');
  let reached = false;
  for (let i = 0; i < 300 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate((h) => document.activeElement
      && document.activeElement.getAttribute('href') === h, href);
  }
  assert.ok(reached, `Tab reaches ${href}`);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.ok(page.url().endsWith(href), `Enter opened ${href}`);
  await checkPage(t, page, 'backlog-evidence');

  // The groups that must not be left behind: flags in words, and every comparison behind a
  // disclosure opened with the keyboard (Tab to its summary, Enter).
  assert.match(await page.locator('main').innerText(), /Grupper som inte får lämnas efter/);
  assert.match(await page.locator('main').innerText(), /Jämlikhetsflagga: /);
  let opened = false;
  for (let i = 0; i < 400 && !opened; i += 1) {
    await page.keyboard.press('Tab');
    opened = await page.evaluate(() => document.activeElement
      && document.activeElement.tagName === 'SUMMARY');
  }
  assert.ok(opened, 'Tab reaches the summary of every comparison');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('details').getAttribute('open'), '', 'Enter opens it');
  await checkPage(t, page, 'backlog-evidence-gaps');

  await page.goto(`${app.url}/backlog/report`);
  await checkPage(t, page, 'backlog-report');

  await page.goto(`${app.url}/backlog/snapshots`);
  const snapshot = page.locator('tbody th a').first();
  assert.equal(await page.locator('tbody th a').count(), 1, 'the demo published one snapshot');
  await Promise.all([page.waitForNavigation(), snapshot.click()]);
  await checkPage(t, page, 'backlog-snapshot');
});
