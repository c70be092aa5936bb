'use strict';
// The MaxDiff layout of eservice-needs: three tasks per screen, each task a fieldset with "Uppgift N av M", one row per
// item ("most" radio | item | "least" radio), every radio named by its column and item, zero
// axe-core violations and no horizontal scrolling at 320 px. Also with an error shown.
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

test('the MaxDiff tasks of eservice-needs are accessible most/least tables', async (t) => {
  const page = await browser.newPage();
  await page.goto(`${app.url}/s/eservice-needs`);
  assert.equal(await press(page, 'Börja svara'), 200);
  for (let n = 0; n < 30 && (await page.locator('fieldset.maxdiff').count()) === 0; n += 1) {
    await fillPage(page);
    assert.equal(await press(page, 'Nästa'), 200, `Nästa on "${await heading(page)}"`);
  }
  assert.ok((await page.locator('fieldset.maxdiff').count()) > 0, 'a MaxDiff page is reached');

  const tasks = await page.$$eval('fieldset.maxdiff-task', (sets) => sets.map((f) => ({
    legend: f.querySelector('legend').textContent.trim(),
    items: [...f.querySelectorAll('th[scope=row]')].map((th) => th.textContent.trim()),
    radios: [...f.querySelectorAll('input[type=radio]')].map((r) => ({
      name: r.name,
      // The accessible name as the browser computes it from the associated label.
      label: r.labels && r.labels[0] ? r.labels[0].textContent.trim() : '',
    })),
  })));
  assert.equal(tasks.length, 3, 'three tasks per screen');
  tasks.forEach((task, i) => {
    assert.equal(task.legend, `Uppgift ${i + 1} av 9`);
    assert.equal(new Set(task.items).size, task.items.length, `no item twice in ${task.legend}`);
    assert.equal(task.radios.length, task.items.length * 2, 'one most and one least radio per item');
    for (const r of task.radios) {
      const side = r.name.endsWith('.best') ? 'Viktigast' : 'Minst viktigt';
      assert.ok(task.items.some((item) => r.label === `${side}: ${item}`),
        `radio ${r.name} is named by column and item, got "${r.label}"`);
    }
  });
  await checkPage(t, page, 'maxdiff-tasks');

  // The same item as most and least important: the error state is accessible too.
  const first = page.locator('fieldset.maxdiff-task').first();
  await first.locator('input[type=radio][name$=".best"]').first().check();
  await first.locator('input[type=radio][name$=".worst"]').first().check();
  assert.equal(await press(page, 'Nästa'), 422);
  assert.match(await page.locator('#error-summary').innerText(), /olika alternativ/);
  await checkPage(t, page, 'maxdiff-tasks-error');

  // Answered, the same page shows the next three tasks.
  await first.locator('input[type=radio][name$=".worst"]').nth(1).check();
  await fillPage(page);
  assert.equal(await press(page, 'Nästa'), 200);
  const legends = await page.$$eval('fieldset.maxdiff-task > legend', (ls) => ls.map((l) => l.textContent.trim()));
  assert.deepEqual(legends, ['Uppgift 4 av 9', 'Uppgift 5 av 9', 'Uppgift 6 av 9']);
  await checkPage(t, page, 'maxdiff-tasks-screen-2');
  await page.close();
});
