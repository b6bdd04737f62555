// Runs end-to-end specs (e2e/<name>.spec.mjs) in headless Chromium.
//
//   node e2e/run.mjs NAME...                    against APP_URL and SIM_URL from the environment
//   node e2e/run.mjs --stack BINARY NAME...     starts its own simulator, `switchboard serve`
//                                               (a fresh SQLite folder) and `vite` (this source,
//                                               hot), then runs NAME against them
//
// tests/it/web_app.rs runs each spec against a server in the test process, which serves the
// client built into the binary. A spec exports `default async function (ctx)`; it prints
// "e2e NAME: ok" when it passes. See e2e/lib.mjs for the environment.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const args = process.argv.slice(2);
const children = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function start(command, argv, env, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (process.env.E2E_VERBOSE) console.log(`[${path.basename(command)}] ${line}`);
      if (ready.test(line)) resolve(child);
    });
    child.stderr.on('data', (d) => process.env.E2E_VERBOSE && process.stderr.write(d));
    child.on('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready`)));
  });
}

async function waitHttp(url) {
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer`);
}

async function stack(binary) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-e2e-'));
  const [control, twilio, meta, api, web] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  await start(
    binary,
    ['simulator', 'run', '--no-state', '--control', `127.0.0.1:${control}`, '--twilio', `127.0.0.1:${twilio}`, '--meta', `127.0.0.1:${meta}`],
    {},
    /Start Switchboard against the stand-ins/,
  );
  const admin = { ADMIN_EMAIL: 'root@e2e.test', ADMIN_PASSWORD: 'e2e-Platform-pass-2026' };
  const serve = spawn(binary, ['serve'], {
    env: {
      ...process.env,
      SWITCHBOARD_DATA_DIR: path.join(dir, 'data'),
      SWITCHBOARD_LISTEN: `127.0.0.1:${api}`,
      SWITCHBOARD_ADMIN_EMAIL: admin.ADMIN_EMAIL,
      SWITCHBOARD_ADMIN_PASSWORD: admin.ADMIN_PASSWORD,
      SWITCHBOARD_TWILIO_API_URL: `http://127.0.0.1:${twilio}`,
      SWITCHBOARD_TWILIO_CONTENT_URL: `http://127.0.0.1:${twilio}`,
      SWITCHBOARD_TWILIO_MESSAGING_URL: `http://127.0.0.1:${twilio}`,
      SWITCHBOARD_META_GRAPH_URL: `http://127.0.0.1:${meta}`,
      // The specs' webhook receivers listen here.
      SWITCHBOARD_OUTGOING_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      SWITCHBOARD_LOG: process.env.SWITCHBOARD_LOG || 'warn',
    },
    stdio: ['ignore', process.env.E2E_VERBOSE ? 'inherit' : 'ignore', process.env.E2E_VERBOSE ? 'inherit' : 'ignore'],
  });
  children.push(serve);
  await waitHttp(`http://127.0.0.1:${api}/healthz`);
  const vite = spawn('npx', ['vite', '--port', String(web), '--strictPort', '--host', '127.0.0.1'], {
    env: { ...process.env, SWITCHBOARD_URL: `http://127.0.0.1:${api}` },
    stdio: ['ignore', 'ignore', process.env.E2E_VERBOSE ? 'inherit' : 'ignore'],
  });
  children.push(vite);
  await waitHttp(`http://127.0.0.1:${web}/`);
  Object.assign(process.env, { APP_URL: `http://127.0.0.1:${web}`, SIM_URL: `http://127.0.0.1:${control}`, ...admin });
}

let names = args;
if (args[0] === '--stack') {
  await stack(path.resolve(args[1]));
  names = args.slice(2);
}

let failed = 0;
try {
  const lib = await import('./lib.mjs');
  for (const name of names) {
    const started = Date.now();
    const { default: spec } = await import(`./${name}.spec.mjs`);
    // This spec's screenshots of an earlier run would mislead: start afresh.
    mkdirSync(lib.ARTIFACTS, { recursive: true });
    for (const file of readdirSync(lib.ARTIFACTS, { withFileTypes: true }).filter((f) => f.name.startsWith(`${name}-`))) {
      rmSync(path.join(lib.ARTIFACTS, file.name));
    }
    const session = await lib.openBrowser();
    try {
      await spec({ ...lib, session, name });
      const problems = session.problems();
      if (problems.length) throw new Error(`the page broke rules:\n  ${problems.join('\n  ')}`);
      console.log(`e2e ${name}: ok in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    } catch (e) {
      failed += 1;
      await session.capture(name);
      console.error(`e2e ${name}: FAILED\n${e.stack || e}`);
    } finally {
      await session.close();
    }
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
}
process.exit(failed ? 1 : 0);
