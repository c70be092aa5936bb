'use strict';
// Keyboard only: the residents' needs survey (eservice-needs) from the landing page to the
// receipt using nothing but Tab, Shift+Tab, Space, Enter and the arrow keys. No clicks, no
// values set from JavaScript (the page is only *read*, to decide which key to press next).
// Every focused control must show a visible focus indicator.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { startApp, launch, SHOTS } = require('./helpers');

const ALLOWED = new Set(['Tab', 'Shift+Tab', 'Space', 'Enter', 'ArrowDown', 'ArrowUp', 'ArrowLeft', 'ArrowRight']);

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

test('eservice-needs can be completed with the keyboard alone', async () => {
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  const used = [];
  const noFocusRing = new Set();
  const key = async (k) => {
    assert.ok(ALLOWED.has(k), `key ${k} is not allowed`);
    used.push(k);
    await page.keyboard.press(k);
  };
  const keyAndWait = async (k) => {
    const [resp] = await Promise.all([page.waitForNavigation(), key(k)]);
    return resp ? resp.status() : 0;
  };
  // What has focus (read-only).
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return { tag: 'body' };
    const cs = getComputedStyle(e);
    const group = e.type === 'radio' || e.type === 'checkbox'
      ? [...document.querySelectorAll(`input[name="${CSS.escape(e.name)}"]`)] : [];
    return {
      tag: e.tagName.toLowerCase(),
      type: e.type || '',
      id: e.id,
      name: e.name || '',
      value: e.value || '',
      checked: !!e.checked,
      groupChecked: group.some((x) => x.checked),
      text: (e.innerText || e.textContent || '').trim(),
      ring: cs.outlineStyle !== 'none' || cs.boxShadow !== 'none',
    };
  });
  const h1 = async () => (await page.locator('h1').first().innerText()).trim();
  // Tab (or Shift+Tab) until `match(focused)` holds, acting on controls on the way.
  const tabTo = async (match, act = async () => {}, max = 400) => {
    for (let i = 0; i < max; i += 1) {
      await key('Tab');
      const f = await focused();
      if (f.tag !== 'body' && !f.ring) noFocusRing.add(`${await h1()}: ${f.tag}#${f.id || f.name || f.text}`);
      if (match(f)) return f;
      await act(f);
    }
    throw new Error(`no matching control after ${max} Tab presses on "${await h1()}"`);
  };

  await page.goto(`${app.url}/s/eservice-needs`);
  await key('Tab');
  const skip = await focused();
  assert.equal(skip.text, 'Hoppa till innehållet', 'the first Tab reaches the skip link');
  await tabTo((f) => f.tag === 'button' && f.text === 'Börja svara');
  assert.equal(await keyAndWait('Enter'), 200);

  // Page 1: Next without the required consent shows the error summary; its link takes the
  // keyboard to the checkbox.
  assert.equal(await h1(), 'Om undersökningen');
  await tabTo((f) => f.tag === 'button' && f.text === 'Nästa');
  assert.equal(await keyAndWait('Enter'), 422);
  await tabTo((f) => f.tag === 'a' && /samtycker|Du behöver/i.test(f.text) && f.text.length > 0
    && f.id === '' && f.name === '');
  await key('Enter');
  const target = await focused();
  assert.equal(target.id, 'q-consent', 'the error summary link moves focus to the consent checkbox');
  await key('Space');
  assert.ok((await focused()).checked, 'Space ticks the consent');

  const pages = [];
  for (let n = 0; n < 40; n += 1) {
    const title = await h1();
    if (title === 'Granska dina svar') break;
    pages.push(title);
    await tabTo((f) => f.tag === 'button' && f.text === 'Nästa', async (f) => {
      if (f.type === 'radio' && !f.groupChecked) {
        await key('Space');
        // MaxDiff: "least important" moves on to the next item with an arrow key.
        if (f.name.endsWith('.worst')) await key('ArrowDown');
        // Scales: move one step right with an arrow key.
        if (f.name.endsWith('_importance')) await key('ArrowRight');
      } else if (f.type === 'checkbox' && !f.groupChecked) {
        await key('Space');
      } else if (f.tag === 'select' && f.value === '') {
        await key('ArrowDown');
      }
    });
    const status = await keyAndWait('Enter');
    if (status !== 200) {
      const errs = await page.locator('#error-summary').innerText().catch(() => '');
      assert.fail(`Nästa on "${title}" gave HTTP ${status}: ${errs}`);
    }
  }
  assert.equal(await h1(), 'Granska dina svar', `reached the review page after: ${pages.join(' → ')}`);
  assert.ok(pages.includes('Vad är viktigast?') && pages.includes('Egenskaper hos e-tjänster')
    && pages.includes('Om dig'), `MaxDiff, Kano and background pages answered: ${pages.join(', ')}`);
  const review = await page.locator('main').innerText();
  assert.match(review, /Ansöka om förskoleplats/, 'the ticked errand is on the review page');
  assert.match(review, /Uppgift 9|uppgift 9/, 'all MaxDiff tasks are on the review page');

  // Review: Tab past "Skicka in svaren" to "Tillbaka", Shift+Tab back, Enter.
  await tabTo((f) => f.tag === 'button' && f.text === 'Skicka in svaren');
  await key('Tab');
  assert.equal((await focused()).text, 'Tillbaka');
  await key('Shift+Tab');
  assert.equal((await focused()).text, 'Skicka in svaren', 'Shift+Tab returns to the submit button');
  assert.equal(await keyAndWait('Enter'), 200);
  const receipt = await page.locator('.receipt-number').innerText();
  assert.match(receipt, /^INS-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

  // The printable copy opens with the keyboard too.
  await tabTo((f) => f.tag === 'summary');
  await key('Enter');
  assert.ok(await page.locator('details.answer-copy').evaluate((d) => d.open));
  await page.screenshot({ path: path.join(SHOTS, 'keyboard-eservice-needs-receipt.png'), fullPage: true });

  assert.deepEqual([...noFocusRing], [], 'every focused control shows a focus indicator');
  assert.ok(used.every((k) => ALLOWED.has(k)));
  assert.ok(used.includes('Shift+Tab') && used.includes('Space') && used.includes('ArrowDown'));
  await page.close();
});
