// What every end-to-end spec shares: the browser, the API and the simulator's control API,
// waits that scale with SWITCHBOARD_TEST_TIME_SCALE, screenshots and accessibility checks.
//
// The environment (set by e2e/run.mjs): APP_URL (the web client's origin, which also answers
// /graphql), SIM_URL (the simulator's control API), ADMIN_EMAIL and ADMIN_PASSWORD (a platform
// admin), CHROMIUM, ARTIFACTS (a folder for screenshots), SWITCHBOARD_TEST_TIME_SCALE.

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const APP_URL = required('APP_URL');
export const SIM_URL = required('SIM_URL');
export const ADMIN_EMAIL = required('ADMIN_EMAIL');
export const ADMIN_PASSWORD = required('ADMIN_PASSWORD');
export const ARTIFACTS = process.env.ARTIFACTS || path.resolve('e2e/artifacts');
export const SCALE = Math.max(1, Number(process.env.SWITCHBOARD_TEST_TIME_SCALE) || 1);
/** The longest any one wait may take. */
export const TIMEOUT = 30_000 * SCALE;
export const PASSWORD = 'e2e-Correct-horse-9';

/** The simulator's stand-in accounts (src/simulator/mod.rs, `demo`). */
export const DEMO = {
  twilio: { accountSid: 'ACfeedfacefeedfacefeedfacefeedface', authToken: '5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e', number: '+14155238886' },
  meta: {
    phoneNumberId: '106540352242922',
    businessAccountId: '102290129340398',
    accessToken: 'EAAsimulatorAccessToken0123456789',
    appSecret: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    number: '+15550783881',
  },
};

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (e2e/run.mjs does)`);
  return value;
}

/** A GraphQL request; throws with the API's message and code when it answers errors. */
export async function api(query, variables = {}, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${APP_URL}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors?.length) {
    const [e] = body.errors;
    throw new Error(`${e.message} (${e.extensions?.code}) in ${query.slice(0, 80)}`);
  }
  return body.data;
}

export async function signIn(email, password) {
  const data = await api(
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken user { id } tenant { id } } }',
    { e: email, p: password },
  );
  return { token: data.login.accessToken, userId: data.login.user.id, tenantId: data.login.tenant?.id };
}

/** A new tenant with its owner; answers the owner's e-mail, password and API token. */
export async function newTenant(name) {
  const admin = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const email = `owner-${slug}-${Date.now()}@example.com`;
  await api(
    'mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }',
    { i: { name, ownerEmail: email, ownerPassword: PASSWORD, ownerName: 'Olivia Owner' } },
    admin.token,
  );
  const owner = await signIn(email, PASSWORD);
  return { name, email, password: PASSWORD, ...owner };
}

/** The simulator's demo Twilio and Meta channels, made through the API. */
export async function demoChannels(token) {
  const make = (input) =>
    api('mutation($i: CreateChannelInput!) { createChannel(input: $i) { id name webhookUrl phoneNumber } }', { i: input }, token).then(
      (d) => d.createChannel,
    );
  const twilio = await make({
    name: 'Twilio',
    provider: 'TWILIO',
    phoneNumber: DEMO.twilio.number,
    twilio: { accountSid: DEMO.twilio.accountSid, authToken: DEMO.twilio.authToken },
  });
  const meta = await make({
    name: 'Meta',
    provider: 'META',
    phoneNumber: DEMO.meta.number,
    meta: {
      accessToken: DEMO.meta.accessToken,
      appSecret: DEMO.meta.appSecret,
      phoneNumberId: DEMO.meta.phoneNumberId,
      businessAccountId: DEMO.meta.businessAccountId,
    },
  });
  return { twilio, meta };
}

/** POSTs to the simulator's control API (`/say`, `/read`, `/failure`, `/tap`, ...). */
export async function sim(route, body) {
  const response = await fetch(`${SIM_URL}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`simulator ${route} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A customer's message through the simulator, as a signed webhook to `channel`. */
export function say(provider, channel, from, text, extra = {}) {
  return sim('/say', { provider, webhookUrl: channel.webhookUrl, from, name: extra.name ?? 'Ana Customer', text, ...extra });
}

/** Polls `check` until it answers something truthy, for at most TIMEOUT. */
export async function until(what, check, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/**
 * A browser and a page on APP_URL that records console errors, failed requests, CSP
 * violations and requests to any other origin (all refused): `problems()` lists them.
 */
export async function openBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const origin = new URL(APP_URL).origin;
  const wsOrigin = origin.replace(/^http/, 'ws');
  const found = [];
  const pages = [];
  async function newPage({ width = 1366, height = 860, colorScheme = 'light' } = {}) {
    const context = await browser.newContext({ viewport: { width, height }, colorScheme, timezoneId: 'Europe/Madrid' });
    context.setDefaultTimeout(TIMEOUT);
    await context.route(
      (url) => !url.href.startsWith(origin) && !url.href.startsWith(wsOrigin) && !url.href.startsWith('data:') && !url.href.startsWith('blob:'),
      (route) => {
        found.push(`a request to another origin: ${route.request().url()}`);
        return route.abort();
      },
    );
    const page = await context.newPage();
    pages.push(page);
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) found.push(`CSP: ${m.text()}`);
    });
    page.on('pageerror', (e) => found.push(`page error: ${e.message}`));
    return page;
  }
  return {
    browser,
    newPage,
    problems: () => found.slice(),
    /** Screenshots of every open page, for a failed spec. */
    async capture(spec) {
      for (const [i, page] of pages.entries()) {
        if (!page.isClosed()) await screenshot(page, spec, `failure-${i + 1}`).catch(() => {});
      }
    },
    close: () => browser.close(),
  };
}

export async function logIn(page, email, password) {
  await page.goto(APP_URL);
  await page.getByRole('textbox', { name: 'E-mail' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

let shot = 0;
/** Saves a full-page screenshot as ARTIFACTS/<spec>-NN-<name>.png and answers its path. */
export async function screenshot(page, spec, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  shot += 1;
  const file = path.join(ARTIFACTS, `${spec}-${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
  return file;
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the page; throws on any critical violation. */
export async function checkA11y(page, where) {
  // Evaluated through the DevTools protocol: the page's CSP rightly refuses an inline script.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const critical = result.filter((v) => v.impact === 'critical');
  if (critical.length) throw new Error(`critical accessibility violations on ${where}: ${JSON.stringify(critical)}`);
  return result;
}
