'use strict';
// Analyses pages (issue 13 items 4–8): the response browser (list and one response), open
// text, a trend and the cross-tab builder, after two it-habits responses given in the browser.
// Each page: axe-core (WCAG 2.0/2.1 A + AA), no horizontal scroll at 320 px, screenshots in
// target/screenshots/. The cross-tab builder is operated with the keyboard alone.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startApp, launch } = require('./helpers');
const { checkPage, fillPage, press, heading } = require('./pages');

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

async function answerItHabits(page) {
  await page.goto(`${app.url}/s/it-habits`);
  assert.equal(await press(page, 'Börja svara'), 200);
  for (let n = 1; n <= 60; n += 1) {
    if ((await heading(page)) === 'Granska dina svar') {
      assert.equal(await press(page, 'Skicka in svaren'), 200);
      return;
    }
    await fillPage(page);
    assert.equal(await press(page, 'Nästa'), 200);
  }
  assert.fail('no review page after 60 pages');
}

test('analyses: response browser, open text, trend and a keyboard-only cross-tab', async (t) => {
  const respondent = await browser.newPage();
  await answerItHabits(respondent);
  await answerItHabits(respondent);
  await respondent.close();

  const page = await browser.newPage();
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Användarnamn').fill('admin');
  await page.getByLabel('Lösenord').fill(app.password);
  await press(page, 'Logga in');

  await page.goto(`${app.url}/results/it-habits/1/responses`);
  assert.match(await page.content(), /2 svar matchar/);
  await checkPage(t, page, 'analyses-responses');
  await page.locator('table a').first().click();
  await page.waitForLoadState();
  assert.match(await page.content(), /Undanta svaret/);
  await checkPage(t, page, 'analyses-response');

  await page.goto(`${app.url}/results/it-habits/1/text/barriers_more`);
  await checkPage(t, page, 'analyses-open-text');

  await page.goto(`${app.url}/results/it-habits/trend/broadband`);
  await checkPage(t, page, 'analyses-trend');

  await page.goto(`${app.url}/results/it-habits/1/crosstab`);
  await checkPage(t, page, 'analyses-crosstab-builder');
  // Keyboard only: Tab to the row picker, choose with the arrows, the same for the columns,
  // then Enter on the submit button.
  const focusedId = () => page.evaluate(() => document.activeElement && document.activeElement.id);
  for (let i = 0; i < 80 && (await focusedId()) !== 'row'; i += 1) await page.keyboard.press('Tab');
  assert.equal(await focusedId(), 'row', 'the row picker is reachable by Tab');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(), 'col');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.match(page.url(), /row=[^&]+&col=[^&]+/);
  // The browser answers are identical, so the table is refused with a message in words.
  assert.match(await page.content(), /minst två valda svarsalternativ/);
  await checkPage(t, page, 'analyses-crosstab-table');
  await page.close();
});
