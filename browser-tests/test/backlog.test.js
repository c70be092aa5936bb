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
  // The report promises one A4 page: Chromium prints it with the print stylesheet and the PDF
  // must hold exactly one page object.
  await page.emulateMedia({ media: 'print' });
  const pdf = (await page.pdf({ format: 'A4', printBackground: true })).toString('latin1');
  const pages = (pdf.match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.equal(pages, 1, `the printed report fits one A4 page (printed ${pages})`);
  await page.emulateMedia({ media: 'screen' });

  await page.goto(`${app.url}/backlog/snapshots`);
  const snapshot = page.locator('tbody th a').first();
  assert.equal(await page.locator('tbody th a').count(), 1, 'the demo published one snapshot');
  await Promise.all([page.waitForNavigation(), snapshot.click()]);
  await checkPage(t, page, 'backlog-snapshot');
});

// The ranking presets as the demo researcher maintains them: the list (the demo's default and AHP
// presets), the AHP comparison answered and saved with the keyboard alone (Tab to a select, Home
// picks "9 – need extremely more important", Enter computes; the name typed, Enter saves), the
// result with its consistency ratio, a refused preset form with its error summary, and /backlog
// ranked live with a chosen preset — axe-core, 320 px and screenshots for each.
test('ranking presets and the AHP comparison, by keyboard', async (t) => {
  const page = await browser.newPage();
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Användarnamn').fill('researcher');
  await page.getByLabel('Lösenord').fill(app.accounts.researcher);
  await press(page, 'Logga in');

  await page.goto(`${app.url}/backlog/presets`);
  const main = () => page.locator('main').innerText();
  assert.match(await main(), /Standard/);
  assert.match(await main(), /Behov först \(AHP\)/);
  await checkPage(t, page, 'backlog-presets');

  await page.goto(`${app.url}/backlog/presets/ahp`);
  await checkPage(t, page, 'backlog-ahp-form');
  await tabTo(page, 'ahp_need__reach');
  await page.keyboard.press('Home');
  assert.equal(await page.locator('#ahp_need__reach').inputValue(), '9');
  await tabTo(page, 'ahp-compute');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.match(page.url(), /ahp_need__reach=9/);
  assert.match(await main(), /Konsistenskvot/);
  assert.equal(await page.locator('caption', { hasText: 'Vikter från jämförelserna' }).count(), 1);
  await checkPage(t, page, 'backlog-ahp-result');

  await tabTo(page, 'name');
  await page.keyboard.type('Tangentbordets vikter');
  await tabTo(page, 'ahp-save');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.match(page.url(), /\/backlog\/presets$/);
  assert.match(await main(), /Tangentbordets vikter/);

  // A refused preset: every weight 0 gives the error summary, linked to the weights.
  await page.goto(`${app.url}/backlog/presets/new`);
  await page.getByLabel('Namn', { exact: true }).fill('Noll');
  for (const input of await page.locator('input[name^="w_"]').all()) await input.fill('0');
  await press(page, 'Spara förinställningen');
  assert.equal(await page.locator('.error-summary a[href="#weights"]').count(), 1);
  await checkPage(t, page, 'backlog-preset-error');

  // /backlog ranked now with the AHP preset chosen in the select.
  await page.goto(`${app.url}/backlog`);
  assert.match(await main(), /Publicerad backlogg/);
  await page.locator('#preset').selectOption({ label: 'Behov först (AHP)' });
  await press(page, 'Visa');
  assert.match(await main(), /Aktuell rangordning/);
  await checkPage(t, page, 'backlog-live-preset');
});
