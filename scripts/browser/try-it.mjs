// /docs in a real browser (scripts/api-check): authorize with Basic as demo/demo, then run the
// API documentation's Insert and Update Contacts (Batch) examples from their "Try it out"
// forms, as a user would, and check their answers. Playwright drives Debian's chromium.
//
//   node try-it.mjs http://127.0.0.1:8080
import { chromium } from 'playwright-core';

const base = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const page = await browser.newPage();
await page.goto(base + '/docs/');
await page.getByRole('button', { name: 'Authorize' }).first().click();
await page.fill('#auth-basic-username', 'demo');
await page.fill('#auth-basic-password', 'demo');
const basic = page.locator('.auth-container').first();
await basic.getByRole('button', { name: 'Apply credentials' }).click();
await basic.getByRole('button', { name: 'Close' }).click();

// Opens operation `id`, fills `params`, executes its example body; its status and body.
async function run(id, params) {
  const op = page.locator(`#operations-contacts-${id}`);
  await op.locator('.opblock-summary').first().click();
  await op.getByRole('button', { name: 'Try it out' }).click();
  for (const [name, value] of Object.entries(params)) {
    const row = op.locator(`tr[data-param-name="${name}"]`);
    if (await row.locator('select').count()) await row.locator('select').selectOption(value);
    else await row.locator('input').fill(value);
  }
  await op.getByRole('button', { name: 'Execute' }).click();
  const status = op.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor();
  const body = await op.locator('.live-responses-table .response-col_description pre').first().innerText();
  return { status: (await status.innerText()).trim(), body: JSON.parse(body) };
}

let failed = false;
for (const [id, params, expected] of [
  ['insert_batch', { org: '1' }, 'created'],
  ['update_batch', { org: '1', idType: 'externalId' }, 'updated'],
]) {
  const { status, body } = await run(id, params);
  const item = body.results?.[0]?.status;
  const ok = status === '200' && (item === expected || (id === 'insert_batch' && item === 'updated'));
  console.log(`try-it: ${id} from the browser: ${status}, item ${item}${ok ? '' : ' (FAILED)'}`);
  failed ||= !ok;
}
await browser.close();
process.exit(failed ? 1 : 0);
