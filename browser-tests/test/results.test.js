'use strict';
// Results: the index and one version's results page are checked with axe-core (WCAG 2.0/2.1 A
// + AA) and for horizontal scrolling at 320 px, the filter form is used with the keyboard
// only, and the population tables page is checked; screenshots go to target/screenshots/.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startApp, launch } = require('./helpers');
const { checkPage, press } = require('./pages');

let app;
let browser;
before(async () => {
  app = await startApp();
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  if (app) await app.stop();
});

/** Tab until the element with `id` has focus (at most 200 steps). */
async function tabTo(page, id) {
  for (let i = 0; i < 200; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement && document.activeElement.id) === id) return;
  }
  assert.fail(`Tab never reached #${id}`);
}

test('results: index, results page with keyboard-only filters, population tables', async (t) => {
  const page = await browser.newPage();
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Användarnamn').fill('admin');
  await page.getByLabel('Lösenord').fill(app.password);
  await press(page, 'Logga in');

  await page.goto(`${app.url}/results`);
  assert.match(await page.content(), /\/results\/it-habits\/1/);
  await checkPage(t, page, 'results-index');

  await page.goto(`${app.url}/results/it-habits/1`);
  // The shipped survey has no responses in this fresh instance: the page says so, form intact.
  assert.match(await page.content(), /inga inkomna svar/);
  assert.equal(await page.locator('script').count(), 0, 'no JavaScript');
  await checkPage(t, page, 'results-page');

  // Keyboard only: arrow to "unweighted" in the weighting radios, tick "phone", submit.
  await tabTo(page, 'w-design');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.locator('#w-unweighted').isChecked(), true, 'arrow keys move the choice');
  await tabTo(page, 'mode-phone');
  await page.keyboard.press('Space');
  await tabTo(page, 'show-results');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.match(page.url(), /mode=phone/);
  assert.equal(await page.locator('#mode-phone').count(), 1);
  assert.match(page.url(), /weighting=unweighted/);
  assert.equal(await page.locator('#mode-phone').isChecked(), true, 'the filter is kept');
  await checkPage(t, page, 'results-page-filtered');

  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.results-form').isVisible(), false, 'the form is not printed');
  await page.emulateMedia({ media: 'screen' });

  await page.goto(`${app.url}/results/population`);
  await checkPage(t, page, 'results-population');
  await page.close();
});
