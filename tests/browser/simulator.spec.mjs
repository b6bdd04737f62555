// The simulator's page in headless Chromium, with every request to another origin refused:
// a customer's phone shows a business message's ticks go from delivered to read when the
// thread is opened, and a tapped reply button is sent. tests/it/simulator.rs starts the
// simulator and Switchboard, sends the message, runs this script and checks Switchboard.
//
//   node simulator.spec.mjs http://127.0.0.1:PORT BUTTON_TITLE PROVIDER:NUMBER…
//
// Every customer named has a phone on the page, side by side, each with the same steps.
//
// Environment: CHROMIUM (default /usr/bin/chromium), SWITCHBOARD_TEST_TIME_SCALE (multiplies
// every wait), SCREENSHOT (a PNG path, optional). Prints "simulator page: ok" on success.

import { chromium } from 'playwright-core';

const [base, title, ...customers] = process.argv.slice(2);
if (!base || !/^http:\/\//.test(base) || !title || !customers.length) {
  console.error('usage: node simulator.spec.mjs http://HOST:PORT BUTTON_TITLE PROVIDER:NUMBER…');
  process.exit(2);
}
const scale = Math.max(1, Number(process.env.SWITCHBOARD_TEST_TIME_SCALE) || 1);
const origin = new URL(base).origin;
const foreign = [];
const problems = [];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(30_000 * scale);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(base);

  for (const customer of customers) {
    const phone = page.locator(`section.phone[data-customer="${customer}"]`);
    const business = phone.locator('.bubble.out').last();
    // Closed, the thread leaves the message delivered: two grey ticks.
    await business.locator('.ticks[data-status="delivered"]').waitFor();
    await phone.locator('button.toggle').click();
    // Open, the customer reads it: the read status goes out and the ticks turn blue.
    await business.locator('.ticks[data-status="read"]').waitFor();
    await business.locator('button.choice', { hasText: title }).click();
    await phone.locator('.bubble.in[data-kind="reply"]', { hasText: title }).waitFor();
    const error = (await phone.locator('.error').textContent()) || '';
    if (error.trim()) throw new Error(`${customer}'s phone shows an error: ${error}`);
  }
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  if (foreign.length) throw new Error(`requests to other origins: ${foreign.join(', ')}`);
  if (problems.length) throw new Error(`page errors: ${problems.join(' | ')}`);
  console.log('simulator page: ok');
} finally {
  await browser.close();
}
