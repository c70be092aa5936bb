'use strict';
// Reflow (WCAG 1.4.10): the designer's survey list and a version page at 320 px do not scroll
// horizontally, and axe-core finds no WCAG 2.1 A/AA violation on them; the staff home too.
const { test, before, after } = require('node:test');
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

test('reflow: the designer list, a version page and the staff home at 320 px', async (t) => {
  const page = await browser.newPage();
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Användarnamn').fill('admin');
  await page.getByLabel('Lösenord').fill(app.password);
  await press(page, 'Logga in');

  await page.goto(`${app.url}/designer`);
  await checkPage(t, page, 'reflow-designer');
  await page.goto(`${app.url}/designer/eservice-needs/1`);
  await checkPage(t, page, 'reflow-designer-version');
  await page.goto(`${app.url}/staff`);
  await checkPage(t, page, 'reflow-staff-home');
});
