// The GraphiQL explorer in headless Chromium, against a running switchboard server, with
// every request to another origin refused: the page must render, sign in, use the token from
// the Headers tab for a query and for a subscription over /graphql/ws, and break no rule of
// its Content-Security-Policy. tests/it/web_client.rs starts the server and this script.
//
//   node tests/graphiql.spec.mjs http://127.0.0.1:PORT
//
// Environment: SWITCHBOARD_TEST_EMAIL and SWITCHBOARD_TEST_PASSWORD (a tenant user's
// account), CHROMIUM (default /usr/bin/chromium), SWITCHBOARD_TEST_TIME_SCALE (multiplies
// every wait), SCREENSHOT (a PNG path, optional). Prints "graphiql: ok" and exits 0 on success.

import { chromium } from 'playwright-core';

const base = process.argv[2];
if (!base || !/^http:\/\//.test(base)) {
  console.error('usage: node tests/graphiql.spec.mjs http://HOST:PORT');
  process.exit(2);
}
const email = process.env.SWITCHBOARD_TEST_EMAIL;
const password = process.env.SWITCHBOARD_TEST_PASSWORD;
if (!email || !password) {
  console.error('set SWITCHBOARD_TEST_EMAIL and SWITCHBOARD_TEST_PASSWORD');
  process.exit(2);
}
const scale = Math.max(1, Number(process.env.SWITCHBOARD_TEST_TIME_SCALE) || 1);
const timeout = 60_000 * scale;
const origin = new URL(base).origin;
const wsOrigin = origin.replace(/^http/, 'ws');

const foreign = [];
const problems = [];

function fail(message) {
  throw new Error(message);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

try {
  const context = await browser.newContext();
  context.setDefaultTimeout(timeout);
  // As on a server without Internet access: only this server answers.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
  // Every violation of the page's Content-Security-Policy, whether or not the browser logs it.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(
        `Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`,
      );
    });
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    // A broken policy shows as "Refused to ..." (Content-Security-Policy) in the console.
    if (/Content Security Policy|Refused to/i.test(text)) problems.push(`console: ${text}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && new URL(response.url()).pathname.startsWith('/assets/')) {
      problems.push(`${response.status()} for ${response.url()}`);
    }
  });
  const sockets = [];
  page.on('websocket', (socket) => {
    if (!socket.url().startsWith(`${wsOrigin}/`)) foreign.push(socket.url());
    const frames = [];
    socket.on('framesent', (frame) => frames.push(`> ${frame.payload}`));
    socket.on('framereceived', (frame) => frames.push(`< ${frame.payload}`));
    sockets.push({ url: socket.url(), frames });
  });

  const navigation = await page.goto(`${base}/graphql`, { waitUntil: 'load' });
  if (navigation?.status() !== 200) fail(`GET /graphql answered ${navigation?.status()}`);
  await page.locator('.graphiql-container').waitFor();
  await page.locator('.graphiql-query-editor .CodeMirror').waitFor();

  const editorValue = (selector) =>
    page.evaluate((s) => document.querySelector(s).CodeMirror.getValue(), selector);
  const setEditor = (selector, value) =>
    page.evaluate(([s, v]) => document.querySelector(s).CodeMirror.setValue(v), [selector, value]);
  const queryEditor = '.graphiql-query-editor .CodeMirror';
  const headersEditor = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
  const responsePane = '.graphiql-response .CodeMirror';

  /** Runs the query in the editor and waits until the answer satisfies `done`. */
  async function run(query, done) {
    await setEditor(queryEditor, query);
    // GraphiQL parses the editor's text a moment after a change (as a person types); a run
    // before then would send the previous operation's name and kind.
    await page.waitForFunction(
      (selector) => {
        const editor = document.querySelector(selector)?.CodeMirror;
        return editor?.documentAST?.loc?.source?.body === editor?.getValue();
      },
      queryEditor,
      { timeout },
    );
    // Its React state follows a render later; a run that still names the previous operation
    // is refused by the server, and runs again.
    const deadline = Date.now() + timeout;
    for (;;) {
      await setEditor(responsePane, '');
      await page.locator('.graphiql-execute-button').click();
      const handle = await page.waitForFunction(
        ([selector, pattern]) => {
          const text = document.querySelector(selector)?.CodeMirror?.getValue() ?? '';
          return new RegExp(pattern).test(text) ? text : false;
        },
        [responsePane, `${done.source}|Unknown operation named`],
        { timeout },
      );
      const text = await handle.jsonValue();
      if (!/Unknown operation named/.test(text)) return text;
      if (Date.now() > deadline) fail(`GraphiQL kept running a stale operation: ${text}`);
      // Stop a subscription's stream before the next run.
      if (await page.locator('.graphiql-execute-button[aria-label*="Stop"]').count()) {
        await page.locator('.graphiql-execute-button').click();
      }
      await page.waitForTimeout(200);
    }
  }

  // The hint a newcomer sees: how to sign in, and where the token goes.
  const hint = await editorValue(queryEditor);
  if (!hint.includes('login(') || !hint.includes('Headers tab')) fail(`no sign-in hint: ${hint}`);
  await page.locator(headersEditor).waitFor();
  const headersHint = await editorValue(headersEditor);
  if (!headersHint.includes('Authorization')) fail(`no headers hint: ${headersHint}`);

  const login = JSON.parse(
    await run(
      `mutation SignIn { login(email: ${JSON.stringify(email)}, password: ${JSON.stringify(password)}) { accessToken user { email } } }`,
      /"accessToken"|"errors"/,
    ),
  );
  const token = login?.data?.login?.accessToken;
  if (!token) fail(`login answered ${JSON.stringify(login)}`);

  await setEditor(headersEditor, JSON.stringify({ Authorization: `Bearer ${token}` }));
  const me = JSON.parse(await run('query Me { me { role user { email } } }', /"me"|"errors"/));
  if (me?.data?.me?.user?.email !== email) fail(`the query with the token answered ${JSON.stringify(me)}`);

  // A subscription goes over /graphql/ws with the same header in connection_init.
  const subscription = await run(
    'subscription Progress { campaignProgress(id: "00000000-0000-0000-0000-000000000000") { id } }',
    /"errors"|"data"/,
  );
  const socket = sockets.find((s) => s.url === `${wsOrigin}/graphql/ws`);
  if (!socket) fail(`no socket to /graphql/ws (${JSON.stringify(sockets.map((s) => s.url))}); the answer: ${subscription}`);
  const acknowledged = socket.frames.some((f) => f.startsWith('<') && f.includes('"connection_ack"'));
  if (!acknowledged) fail(`the socket was not acknowledged: ${socket.frames.join('\n')}`);
  // Signed in over the socket, the operation itself is refused: the campaign does not exist.
  if (!/"NOT_FOUND"/.test(subscription)) fail(`the subscription answered ${subscription}`);

  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT });
  if (foreign.length > 0) fail(`requests to other origins: ${foreign.join(', ')}`);
  if (problems.length > 0) fail(problems.join('\n'));
  console.log(`subscription answer: ${subscription.replace(/\s+/g, ' ')}`);
  console.log('graphiql: ok');
} catch (error) {
  console.error(`graphiql: FAILED: ${error.message}`);
  if (foreign.length > 0) console.error(`requests to other origins: ${foreign.join(', ')}`);
  if (problems.length > 0) console.error(problems.join('\n'));
  process.exitCode = 1;
} finally {
  await browser.close();
}
