'use strict';
// Page-level helpers shared by the tests: checking one page (axe, 320 px, screenshots) and
// filling a question page the way a mouse user would.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { SHOTS, axe, describeViolations, widths, safe } = require('./helpers');

const DESKTOP = { width: 1024, height: 768 };
const NARROW = { width: 320, height: 640 };

fs.mkdirSync(SHOTS, { recursive: true });
const shotNames = new Set();

/**
 * Check the page currently shown as subtests of `t`: axe-core finds no WCAG 2.1 A/AA violation,
 * and at 320 px the document does not scroll horizontally. Saves `<name>.png` (1024 px wide) and
 * `<name>-320.png` (320 px wide, full page) in target/screenshots/.
 */
async function checkPage(t, page, name) {
  let base = safe(name);
  for (let i = 2; shotNames.has(base); i += 1) base = `${safe(name)}-${i}`;
  shotNames.add(base);
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: path.join(SHOTS, `${base}.png`), fullPage: true });
  await t.test(`axe-core (wcag2a, wcag2aa, wcag21a, wcag21aa): ${name}`, async () => {
    const v = await axe(page);
    assert.equal(v.length, 0, `axe-core found violations:\n${describeViolations(name, v)}`);
  });
  await page.setViewportSize(NARROW);
  await page.screenshot({ path: path.join(SHOTS, `${base}-320.png`), fullPage: true });
  await t.test(`no horizontal scrolling at 320 px: ${name}`, async () => {
    const [scroll, client] = await widths(page);
    let culprits = [];
    if (scroll > client) {
      culprits = await page.evaluate((cw) => [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > cw + 0.5)
        .slice(0, 8)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className).split(' ').join('.')}` : ''} right=${Math.round(e.getBoundingClientRect().right)}`), client);
    }
    assert.ok(scroll <= client, `scrollWidth ${scroll} > clientWidth ${client} at 320 px; too wide: ${culprits.join(', ')}`);
  });
  await page.setViewportSize(DESKTOP);
}

/** Which question types the current page shows (for the coverage assertion). */
async function questionTypes(page) {
  return page.evaluate(() => {
    const q = (s) => document.querySelector(s) !== null;
    const types = [];
    if (q('.note')) types.push('note');
    if (q('input[type=checkbox][name="a.consent"]')) types.push('consent');
    if (q('fieldset.question:not(.matrix):not(.pair):not(.maxdiff) > .choices:not(.scale) input[type=radio]')) types.push('single_choice');
    if (q('fieldset.question input[type=checkbox]:not([name="a.consent"])')) types.push('multiple_choice');
    if (q('fieldset.question:not(.pair) > .choices.scale')) types.push('rating');
    if (q('fieldset.matrix')) types.push('matrix');
    if (q('fieldset.maxdiff')) types.push('max_diff');
    if (q('fieldset.pair .pair-part > .choices:not(.scale)')) types.push('kano');
    if (q('fieldset.pair .pair-part > .choices.scale')) types.push('importance_satisfaction');
    if (q('.rank-row select')) types.push('ranking');
    if (q('div.question > select')) types.push('dropdown');
    if (q('input[type=date]')) types.push('date');
    if (q('input[inputmode=numeric]')) types.push('integer');
    if (q('input[inputmode=decimal]')) types.push('decimal');
    if (q('div.question > input[type=text]:not([inputmode])')) types.push('short_text');
    if (q('div.question > textarea')) types.push('long_text');
    return types;
  });
}

/** Answer every unanswered question on the page with mouse-style actions (not the keyboard test). */
async function fillPage(page) {
  const radios = await page.$$eval('form.survey-form input[type=radio]', (els) => [...new Set(els.map((e) => e.name))]);
  for (const name of radios) {
    const group = page.locator(`input[type=radio][name="${name}"]`);
    if ((await page.locator(`input[type=radio][name="${name}"]:checked`).count()) > 0) continue;
    // MaxDiff: "least important" must differ from "most important".
    await group.nth(name.endsWith('.worst') ? 1 : 0).check();
  }
  const boxes = await page.$$eval('form.survey-form input[type=checkbox]', (els) => [...new Set(els.map((e) => e.name))]);
  for (const name of boxes) {
    if ((await page.locator(`input[type=checkbox][name="${name}"]:checked`).count()) > 0) continue;
    await page.locator(`input[type=checkbox][name="${name}"]`).first().check();
  }
  const rank = page.locator('.rank-row select');
  for (let i = 0; i < (await rank.count()); i += 1) await rank.nth(i).selectOption(String(i + 1));
  const selects = page.locator('div.question > select');
  for (let i = 0; i < (await selects.count()); i += 1) {
    if ((await selects.nth(i).inputValue()) === '') await selects.nth(i).selectOption({ index: 1 });
  }
  const fills = [
    ['div.question > input[inputmode=numeric]', '3'],
    ['div.question > input[inputmode=decimal]', '2,5'],
    ['div.question > input[type=date]', '2015-05-01'],
    ['div.question > input[type=text]:not([inputmode])', 'Test'],
    ['div.question > textarea', 'Inga fler synpunkter.'],
  ];
  for (const [sel, value] of fills) {
    const l = page.locator(sel);
    for (let i = 0; i < (await l.count()); i += 1) {
      const name = (await l.nth(i).getAttribute('name')) || '';
      const v = value === 'Test' && /mail/i.test(name) ? 'test@example.se' : value;
      if ((await l.nth(i).inputValue()) === '') await l.nth(i).fill(v);
    }
  }
}

/** Click a button by its visible name and wait for the next document; returns the HTTP status. */
async function press(page, name) {
  const [resp] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name, exact: true }).click(),
  ]);
  return resp ? resp.status() : 0;
}

async function heading(page) {
  return (await page.locator('h1').first().innerText()).trim();
}

module.exports = { checkPage, questionTypes, fillPage, press, heading, DESKTOP, NARROW };
