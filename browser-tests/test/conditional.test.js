'use strict';
// Same-page follow-ups in it-habits, keyboard only, with JavaScript off and on: a question whose
// condition depends on an answer on its own page is shown from the start with a lead-in saying
// when it applies; leaving it unanswered when it does not apply gives no error, and an error is
// only ever about a question the page shows. Zero axe-core violations on each page met.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { startApp, launch, axe, describeViolations, SHOTS } = require('./helpers');

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

for (const javaScriptEnabled of [false, true]) {
  const mode = javaScriptEnabled ? 'on' : 'off';
  test(`same-page follow-ups in it-habits with JavaScript ${mode}`, async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 }, javaScriptEnabled });
    const key = (k) => page.keyboard.press(k);
    const keyAndWait = async (k) => {
      const [resp] = await Promise.all([page.waitForNavigation(), key(k)]);
      return resp ? resp.status() : 0;
    };
    // Read only: what has focus.
    const focused = () => page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return { tag: 'body' };
      const group = e.type === 'radio' || e.type === 'checkbox'
        ? [...document.querySelectorAll(`input[name="${CSS.escape(e.name)}"]`)] : [];
      return {
        tag: e.tagName.toLowerCase(),
        type: e.type || '',
        id: e.id,
        name: e.name || '',
        checked: !!e.checked,
        groupChecked: group.filter((x) => x.checked).length,
        text: (e.innerText || e.textContent || '').trim(),
      };
    });
    const h1 = async () => (await page.locator('h1').first().innerText()).trim();
    const tabTo = async (match, act = async () => {}, max = 200) => {
      for (let i = 0; i < max; i += 1) {
        await key('Tab');
        const f = await focused();
        if (match(f)) return f;
        await act(f);
      }
      throw new Error(`no matching control after ${max} Tab presses on "${await h1()}"`);
    };
    const next = async (act) => {
      await tabTo((f) => f.tag === 'button' && f.text === 'Nästa', act);
      return keyAndWait('Enter');
    };
    // axe-core needs JavaScript: with it off, the page's HTML is checked in a second page that
    // has it, at the same origin (so the stylesheet applies).
    let checker;
    const noViolations = async (name) => {
      let target = page;
      if (!javaScriptEnabled) {
        const html = await page.content();
        if (!checker) {
          checker = await browser.newPage({ viewport: { width: 1024, height: 768 } });
          await checker.goto(`${app.url}/tillganglighet`);
        }
        await checker.setContent(html, { waitUntil: 'load' });
        target = checker;
      }
      const v = await axe(target);
      assert.deepEqual(v, [], describeViolations(name, v));
    };

    await page.goto(`${app.url}/s/it-habits`);
    await tabTo((f) => f.tag === 'button' && f.text === 'Börja svara');
    assert.equal(await keyAndWait('Enter'), 200);
    assert.equal(await next(async (f) => {
      if (f.id === 'q-consent' && !f.checked) await key('Space');
    }), 200);

    // Internet at home: "broadband" depends on "internet_home" on this page.
    assert.equal(await h1(), 'Internet hemma');
    const lead = page.locator('.lead-in', { hasText: 'Om du svarade Ja på ”Har du internet hemma?”' });
    assert.equal(await lead.count(), 1, 'the follow-up is shown with its lead-in');
    assert.ok(await lead.isVisible());
    await noViolations(`internet, JavaScript ${mode}`);
    // "Nej" (Space on "Ja", then an arrow key), a frequency, and the follow-up left empty.
    const status = await next(async (f) => {
      if (f.name === 'a.internet_home' && !f.groupChecked) { await key('Space'); await key('ArrowDown'); }
      if (f.name === 'a.frequency' && !f.groupChecked) await key('Space');
    });
    assert.equal(status, 200, 'a follow-up that does not apply gives no error');
    assert.equal(await page.locator('#error-summary').count(), 0);
    assert.equal(await h1(), 'Digital vana');
    assert.equal(await next(async (f) => {
      if (f.name === 'a.eid' && !f.groupChecked) await key('Space');
    }), 200);

    // Contact: "Du valde: … Vilket sätt vill du helst använda?" depends on the ways chosen.
    assert.equal(await h1(), 'Kontakt med staden');
    const which = page.locator('legend', { hasText: 'Vilket sätt vill du helst använda?' });
    assert.match(await which.innerText(), /Om du valde fler än ett alternativ på ”Hur vill du helst kontakta staden\?/);
    assert.match(await which.innerText(), /Du valde: \(ditt svar ovan\)\./);
    await noViolations(`contact, JavaScript ${mode}`);
    assert.equal(await next(async (f) => {
      if (f.name === 'a.contact_ways' && !f.groupChecked) await key('Space');
    }), 200, 'one way chosen: the which-way question does not apply and gives no error');
    assert.equal(await page.locator('#error-summary').count(), 0);
    assert.equal(await h1(), 'Om dig');

    // Back, a second way: now it applies and its error is about the question on the page.
    await tabTo((f) => f.tag === 'button' && f.text === 'Tillbaka');
    assert.equal(await keyAndWait('Enter'), 200);
    assert.equal(await h1(), 'Kontakt med staden');
    assert.equal(await next(async (f) => {
      if (f.name === 'a.contact_ways' && f.groupChecked === 1 && !f.checked) await key('Space');
    }), 422);
    const summary = await page.locator('#error-summary').innerText();
    assert.match(summary, /Du valde: [^.(]+, [^.(]+\. Vilket sätt vill du helst använda\?/, summary);
    const links = await page.locator('#error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const href of links) {
      assert.ok(await page.locator(href).isVisible(), `the error's question ${href} is on the page`);
    }
    await noViolations(`contact with an error, JavaScript ${mode}`);
    await page.screenshot({ path: path.join(SHOTS, `conditional-js-${mode}.png`), fullPage: true });
    await page.close();
    if (checker) await checker.close();
  });
}
