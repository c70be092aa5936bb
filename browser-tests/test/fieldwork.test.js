'use strict';
// Fieldwork: a researcher draws a stratified sample through the web form, then the fieldwork
// view, the allocation table and the printable letters (screen and print media) are checked
// with axe-core (WCAG 2.0/2.1 A + AA) and saved as screenshots in target/screenshots/.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startApp, launch, axe, describeViolations, SHOTS } = require('./helpers');
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

/** A small frame: two districts, names, postal addresses, some English speakers. */
function frameFile() {
  const rows = ['id,district,name,address,language'];
  for (let i = 0; i < 60; i += 1) {
    const d = i % 3 === 0 ? 'Kista' : 'Bromma';
    rows.push(`p${i},${d},Person ${i},"Storgatan ${i}|123 45 Stockholm",${i % 5 === 0 ? 'en' : 'sv'}`);
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'insikt-frame-')), 'ram.csv');
  fs.writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

test('fieldwork: draw a sample, the fieldwork view and the printed letters', async (t) => {
  const page = await browser.newPage();
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Användarnamn').fill('admin');
  await page.getByLabel('Lösenord').fill(app.password);
  await press(page, 'Logga in');

  await page.goto(`${app.url}/fieldwork/it-habits`);
  await checkPage(t, page, 'fieldwork-empty');

  await page.getByLabel('Urvalsram (.csv)').setInputFiles(frameFile());
  await page.getByLabel('Stratifieringskolumner').fill('district');
  await page.getByLabel('Fast: n i varje stratum').check();
  await page.locator('#sample-n').fill('4');
  await page.locator('#sample-seed').fill('2026');
  assert.equal(await press(page, 'Dra urvalet'), 200);
  assert.match(await page.content(), /Urvalet är draget/);
  await checkPage(t, page, 'fieldwork-sample-drawn');

  await page.goto(`${app.url}/fieldwork/it-habits`);
  assert.match(await page.content(), /Kista/);
  await checkPage(t, page, 'fieldwork-view');

  await page.goto(`${app.url}/fieldwork/it-habits/letters`);
  assert.equal(await page.locator('article.letter').count(), 8);
  assert.equal(await page.locator('svg[role="img"]').count(), 8);
  await checkPage(t, page, 'fieldwork-letters');

  // As printed: A4 pages, no staff hint.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.print-hint').isVisible(), false, 'the staff hint is not printed');
  await t.test('axe-core (wcag2a, wcag2aa, wcag21a, wcag21aa): fieldwork-letters-print', async () => {
    const v = await axe(page);
    assert.equal(v.length, 0, `axe-core found violations:\n${describeViolations('letters-print', v)}`);
  });
  await page.screenshot({ path: path.join(SHOTS, 'fieldwork-letters-print.png'), fullPage: true });
  await page.pdf({ path: path.join(SHOTS, 'fieldwork-letters.pdf'), preferCSSPageSize: true }).catch(() => {});
  await page.emulateMedia({ media: 'screen' });
  await page.close();
});
