'use strict';
// axe-core (WCAG 2.0/2.1 A + AA) on every page type, no horizontal scrolling at 320 px, and a
// screenshot of each page in target/screenshots/. Walks all three shipped questionnaires, so
// every question type is checked as respondents see it.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { startApp, closedSurveysDir, launch, axe, widths } = require('./helpers');
const { checkPage, questionTypes, fillPage, press, heading } = require('./pages');

const ALL_TYPES = ['note', 'consent', 'single_choice', 'multiple_choice', 'rating', 'matrix',
  'max_diff', 'kano', 'importance_satisfaction', 'ranking', 'dropdown', 'date', 'integer',
  'decimal', 'short_text', 'long_text'];

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

const seenTypes = new Set();

/**
 * From the first question page to the review page: check each page, answer it, go on.
 * `onPage(page, title, n)` may act first (e.g. produce an error state) and returns true when it
 * already moved on.
 */
async function walk(t, page, survey, onPage = async () => false) {
  for (let n = 1; n <= 60; n += 1) {
    const h = await heading(page);
    if (h === 'Granska dina svar') return;
    const types = await questionTypes(page);
    types.forEach((x) => seenTypes.add(x));
    await checkPage(t, page, `${survey}-p${String(n).padStart(2, '0')}-${h} [${types.join(' ')}]`);
    if (await onPage(page, h, n)) continue;
    await fillPage(page);
    const status = await press(page, 'Nästa');
    assert.ok(status === 200 || status === 422, `Nästa on "${h}" gave HTTP ${status}`);
    if (status === 422) {
      const errors = await page.locator('#error-summary').innerText();
      assert.fail(`the generic answers were rejected on "${h}": ${errors}`);
    }
  }
  assert.fail(`${survey}: no review page after 60 pages`);
}

async function submitAndCheckReceipt(t, page, survey) {
  await checkPage(t, page, `${survey}-review`);
  const status = await press(page, 'Skicka in svaren');
  assert.equal(status, 200);
  const text = await page.locator('.receipt-number').innerText();
  assert.match(text, /INS-[0-9A-Z]{4}-[0-9A-Z]{4}/);
  await checkPage(t, page, `${survey}-receipt`);
  // The printable copy of the answers, opened.
  await page.locator('details.answer-copy > summary').click();
  await checkPage(t, page, `${survey}-receipt-copy-open`);
}

test('the harness can fail: axe-core reports a known violation', async () => {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><head><title>x</title></head><body><main>'
    + '<p style="color:#aaa;background:#fff">faint</p><input type="text"></main></body></html>');
  const ids = (await axe(page)).map((v) => v.id).sort();
  assert.ok(ids.includes('color-contrast') && ids.includes('label') && ids.includes('html-has-lang'),
    `expected color-contrast, label and html-has-lang, got ${ids.join(', ')}`);
  await page.setViewportSize({ width: 320, height: 640 });
  await page.setContent('<!doctype html><html lang="sv"><body><div style="width:600px">wide</div></body></html>');
  const [scroll, client] = await widths(page);
  assert.ok(scroll > client, 'a 600 px wide block must count as horizontal scrolling at 320 px');
  await page.close();
});

test('public pages', async (t) => {
  const page = await browser.newPage();
  await page.goto(`${app.url}/`);
  await checkPage(t, page, 'start');
  await page.goto(`${app.url}/?lang=en`);
  await checkPage(t, page, 'start-en');
  await page.goto(`${app.url}/tillganglighet`);
  await checkPage(t, page, 'accessibility-statement');
  const missing = await page.goto(`${app.url}/s/no-such-survey`);
  assert.equal(missing.status(), 404);
  await checkPage(t, page, 'not-found-404');
  await page.close();
});

test('staff login and staff pages', async (t) => {
  const page = await browser.newPage();
  await page.goto(`${app.url}/login`);
  await checkPage(t, page, 'login');
  await page.getByLabel('Användarnamn').fill('admin');
  await page.getByLabel('Lösenord').fill('wrong password');
  await press(page, 'Logga in');
  await checkPage(t, page, 'login-error');
  await page.getByLabel('Användarnamn').fill('admin');
  await page.getByLabel('Lösenord').fill(app.password);
  await press(page, 'Logga in');
  await page.goto(`${app.url}/staff`);
  assert.match(await page.content(), /Logga ut/);
  await checkPage(t, page, 'staff-home');
  await page.goto(`${app.url}/admin/users`);
  await checkPage(t, page, 'admin-users');
  await page.goto(`${app.url}/admin/audit`);
  await checkPage(t, page, 'admin-audit');
  await page.close();
});

test('it-habits: landing, error state, save and resume, review, receipt', async (t) => {
  const page = await browser.newPage();
  await page.goto(`${app.url}/s/it-habits`);
  await checkPage(t, page, 'it-habits-landing');
  assert.equal(await press(page, 'Börja svara'), 200);
  let resumed = false;
  await walk(t, page, 'it-habits', async (p, h, n) => {
    if (n === 1) {
      // The consent on the first page is required: Next without it is the error state.
      assert.equal(await press(p, 'Nästa'), 422);
      assert.ok(await p.locator('#error-summary').isVisible());
      await checkPage(t, p, 'it-habits-error-state');
      return false;
    }
    if (n === 3 && !resumed) {
      resumed = true;
      await fillPage(p);
      assert.equal(await press(p, 'Fortsätt senare'), 200);
      const code = (await p.locator('.receipt-number').innerText()).trim();
      await checkPage(t, p, 'it-habits-saved-resume-code');
      await p.goto(`${app.url}/s/it-habits/resume`);
      await checkPage(t, p, 'it-habits-resume-form');
      await p.getByLabel('Din kod').fill('AAAA-BBBB-CC');
      assert.equal(await press(p, 'Fortsätt'), 422);
      await checkPage(t, p, 'it-habits-resume-form-error');
      await p.getByLabel('Din kod').fill(code);
      assert.equal(await press(p, 'Fortsätt'), 200);
      assert.equal(await heading(p), h, 'resuming returns to the saved page');
      return true;
    }
    return false;
  });
  assert.ok(resumed, 'the save-and-resume path ran');
  await submitAndCheckReceipt(t, page, 'it-habits');
  await page.close();
});

test('eservice-needs: every page to the receipt', async (t) => {
  const page = await browser.newPage();
  await page.goto(`${app.url}/s/eservice-needs`);
  await checkPage(t, page, 'eservice-needs-landing');
  assert.equal(await press(page, 'Börja svara'), 200);
  await walk(t, page, 'eservice-needs');
  await submitAndCheckReceipt(t, page, 'eservice-needs');
  await page.close();
});

test('business-needs: every page to the receipt', async (t) => {
  const page = await browser.newPage();
  await page.goto(`${app.url}/s/business-needs?lang=en`);
  await checkPage(t, page, 'business-needs-landing-en');
  await page.goto(`${app.url}/s/business-needs`);
  assert.equal(await press(page, 'Börja svara'), 200);
  let invalid = 0;
  const done = new Set();
  await walk(t, page, 'business-needs', async (p, h) => {
    if (done.has(h)) return false;
    done.add(h);
    // Error states for typed answers: a date in the future, a number that is not a number and
    // two options given the same place in a ranking.
    const date = p.locator('div.question > input[type=date]');
    const num = p.locator('div.question > input[inputmode=numeric]');
    const rank = p.locator('.rank-row select');
    if ((await date.count()) + (await num.count()) + (await rank.count()) === 0) return false;
    await fillPage(p);
    if (await date.count()) await date.first().fill('2099-12-31');
    if (await num.count()) await num.first().fill('många');
    if ((await rank.count()) > 1) {
      await rank.nth(0).selectOption('1');
      await rank.nth(1).selectOption('1');
    }
    assert.equal(await press(p, 'Nästa'), 422, 'an invalid answer is rejected');
    invalid += 1;
    await checkPage(t, p, `business-needs-error-state-${invalid}`);
    if (await date.count()) await date.first().fill('2015-05-01');
    if (await num.count()) await num.first().fill('3');
    for (let i = 0; i < (await rank.count()); i += 1) await rank.nth(i).selectOption(String(i + 1));
    await fillPage(p);
    const status = await press(p, 'Nästa');
    assert.equal(status, 200, `corrected answers accepted: ${await heading(p)}`);
    return true;
  });
  assert.ok(invalid >= 3, `date, number and ranking error states were checked (${invalid})`);
  await submitAndCheckReceipt(t, page, 'business-needs');
  await page.close();
});

test('every question type was checked', () => {
  const missing = ALL_TYPES.filter((x) => !seenTypes.has(x));
  assert.deepEqual(missing, [], `question types never shown: ${missing.join(', ')}`);
});

test('closed survey page (HTTP 410)', async (t) => {
  const dir = closedSurveysDir();
  const closed = await startApp({ surveysDir: dir });
  try {
    const page = await browser.newPage();
    const resp = await page.goto(`${closed.url}/s/it-habits`);
    assert.equal(resp.status(), 410);
    assert.match(await page.locator('main').innerText(), /stängd/);
    await checkPage(t, page, 'closed-410');
    await page.close();
  } finally {
    await closed.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('access codes and interviewer entry', async (t) => {
  const page = await browser.newPage();
  await page.goto(`${app.url}/kod`);
  await checkPage(t, page, 'access-code-entry');
  await page.getByLabel('Din kod').fill('ZZZZ-ZZZZ');
  assert.equal(await press(page, 'Fortsätt'), 404);
  await checkPage(t, page, 'access-code-entry-unknown');
  // A letter's code that no invitation has: the survey's own code form with the retry state.
  await page.context().addCookies([{ name: 'insikt_invitation', value: 'ZZZZ-ZZZZ', url: `${app.url}/s/it-habits` }]);
  const unknown = await page.goto(`${app.url}/s/it-habits`);
  assert.equal(unknown.status(), 404);
  await checkPage(t, page, 'survey-access-code-unknown');
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Användarnamn').fill('admin');
  await page.getByLabel('Lösenord').fill(app.password);
  await press(page, 'Logga in');
  await page.goto(`${app.url}/interview`);
  await checkPage(t, page, 'interviewer-start');
  await page.goto(`${app.url}/interview/it-habits`);
  await checkPage(t, page, 'interviewer-work-list-empty');
  await page.close();
});
