'use strict';
// The results pages with data: an instance with the seeded demo (INSIKT_DEMO=true: two waves of
// IT-habits, the demo population table, the demo accounts), logged in as the demo researcher.
// IT-habits v2 raked to the population table (charts with data), a cross-tab, the e-ID and
// contact-channel trends, open text and the response browser (list and one response): axe-core
// (WCAG 2.0/2.1 A + AA), no horizontal scroll at 320 px, screenshots in target/screenshots/.
// The filter form and the cross-tab builder are operated with the keyboard alone.
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

/** With a closed <select> focused, move to the option with `value` using the arrow keys only. */
async function arrowToOption(page, value) {
  const [from, to] = await page.evaluate((v) => {
    const s = document.activeElement;
    return [s.selectedIndex, [...s.options].findIndex((o) => o.value === v)];
  }, value);
  assert.ok(to >= 0, `no option ${value}`);
  for (let i = from; i < to; i += 1) await page.keyboard.press('ArrowDown');
  for (let i = from; i > to; i -= 1) await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement.value), value);
}

/** The page's text shows no raw piping placeholder. */
async function noPlaceholders(page) {
  assert.doesNotMatch(await page.locator('main').innerText(), /\$\{/, 'a raw ${…} placeholder');
}

test('results with the demo data: raked results, cross-tab, trends, open text, responses', async (t) => {
  assert.ok(app.accounts.researcher, 'the demo prints the researcher account');
  const page = await browser.newPage();
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Användarnamn').fill('researcher');
  await page.getByLabel('Lösenord').fill(app.accounts.researcher);
  await press(page, 'Logga in');

  // Keyboard only: weighting "raked" with the arrow keys, the demo population table chosen in
  // its list, the web mode ticked with Space, submitted with Enter.
  await page.goto(`${app.url}/results/it-habits/2`);
  await tabTo(page, 'w-design');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.locator('#w-raked').isChecked(), true, 'arrow keys move the choice');
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'table');
  const table = await page.locator('#table option', { hasText: 'Stockholm' }).first().getAttribute('value');
  await arrowToOption(page, table);
  await tabTo(page, 'show-results');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.match(page.url(), /weighting=raked/);
  assert.match(page.url(), new RegExp(`table=${table}`));
  assert.equal(await page.locator('#w-raked').isChecked(), true, 'the weighting is kept');
  assert.ok((await page.locator('svg.chart').count()) > 5, 'charts of the answers');
  assert.ok((await page.locator('table').count()) > 5, 'their data tables');
  await noPlaceholders(page);
  await checkPage(t, page, 'demo-results-raked');
  // The raked query carries over to the analyses pages (the page's own links do the same).
  const query = new URL(page.url()).search.slice(1);

  // The cross-tab builder, keyboard only: e-ID by age group, then Enter on "Show the table".
  await page.goto(`${app.url}/results/it-habits/2/crosstab?${query}`);
  await tabTo(page, 'row');
  await arrowToOption(page, 'eid');
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'col');
  await arrowToOption(page, 'age_group');
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'show-table-now');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.match(page.url(), /row=eid&col=age_group/);
  assert.match(page.url(), /weighting=raked/, 'the weighting is kept');
  assert.match(await page.content(), /Rao–Scott/, 'the table and its test appear');
  await noPlaceholders(page);
  await checkPage(t, page, 'demo-crosstab');

  await page.goto(`${app.url}/results/it-habits/trend/eid?value=yes&${query}`);
  assert.match(await page.content(), /Senaste förändringen/);
  await noPlaceholders(page);
  await checkPage(t, page, 'demo-trend-eid');

  await page.goto(`${app.url}/results/it-habits/trend/contact_ways?${query}`);
  assert.ok((await page.locator('section.trend-option svg.chart').count()) >= 4, 'one chart per channel');
  assert.match(await page.content(), /Telefon/);
  await noPlaceholders(page);
  await checkPage(t, page, 'demo-trend-contact-ways');

  await page.goto(`${app.url}/results/it-habits/2/text/barriers_more`);
  assert.match(await page.content(), /svar matchar/);
  await noPlaceholders(page);
  await checkPage(t, page, 'demo-open-text');

  await page.goto(`${app.url}/results/it-habits/2/responses`);
  await noPlaceholders(page);
  await checkPage(t, page, 'demo-responses');
  await Promise.all([page.waitForNavigation(), page.locator('table a').first().click()]);
  assert.match(await page.content(), /Undanta svaret/);
  await noPlaceholders(page);
  await checkPage(t, page, 'demo-response');
  await page.close();
});
