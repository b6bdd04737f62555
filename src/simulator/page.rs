//! The simulator's page: a phone per customer (both sides of the thread in time order,
//! ticks, taps, failures) and the templates waiting for review. Server-rendered HTML, one
//! stylesheet and one script, all embedded, under a Content-Security-Policy that allows
//! nothing but this origin.

use axum::http::header;
use axum::response::IntoResponse;

/// Only this origin, no inline script or style, no framing.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' http: https: data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

pub async fn index() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        HTML,
    )
}

pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        SCRIPT,
    )
}

pub async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        STYLE,
    )
}

const HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Switchboard simulator</title>
<link rel="stylesheet" href="/phone.css">
<script src="/phone.js" defer></script>
</head>
<body>
<h1>Be the customer</h1>
<p class="muted">Each customer has a phone below. What they send reaches Switchboard as the
provider's signed webhook; the business's messages show their ticks, and an open thread reads
them. Paste a channel's <code>webhookUrl</code> from Switchboard's API to start.</p>
<form id="say">
 <div class="row">
  <label>Provider <select id="provider" name="provider"><option value="twilio">Twilio</option><option value="meta">Meta</option></select></label>
  <label class="wide">Channel webhook URL <input id="webhookUrl" name="webhookUrl" required placeholder="http://127.0.0.1:8080/webhooks/twilio/…"></label>
 </div>
 <div class="row">
  <label>Number <input id="from" name="from" required value="+34600000000"></label>
  <label>Name <input id="name" name="name" value="Ana"></label>
  <label class="wide">Message <input id="text" name="text" required value="Hello! I need help with my order."></label>
 </div>
 <button type="submit">Send as a new customer</button>
</form>
<div id="result" role="status"></div>
<div id="phones"><p class="muted" id="nophones">No customers yet.</p></div>
<h2>Templates</h2>
<p class="muted">Templates Switchboard created at the stand-ins. Meta tells Switchboard of a
review with a signed status webhook; Twilio sends none, so Switchboard sees it at its next
template sync.</p>
<label for="metaWebhookUrl">Meta channel webhook URL (for Meta's review webhook)</label>
<input id="metaWebhookUrl" placeholder="http://127.0.0.1:8080/webhooks/meta/…">
<table>
 <thead><tr><th>Provider</th><th>Name</th><th>Language</th><th>Status</th><th>Review</th></tr></thead>
 <tbody id="templates"><tr><td colspan="5" class="muted">No templates yet.</td></tr></tbody>
</table>
<div id="templateResult" role="status"></div>
</body>
</html>
"#;

const STYLE: &str = r#" body { font-family: system-ui, sans-serif; max-width: 80rem; margin: 2rem auto; padding: 0 1rem; color: #1d2327; }
 label { display: block; margin-top: .75rem; font-weight: 600; }
 input, select, textarea { width: 100%; padding: .45rem; box-sizing: border-box; font: inherit; }
 button { margin-top: 1rem; padding: .5rem 1.25rem; font: inherit; }
 #result { margin-top: .75rem; min-height: 1.5rem; }
 li { margin: .35rem 0; }
 .muted { color: #646970; }
 .failure { color: #b32d2e; font-weight: 600; }
 table { width: 100%; border-collapse: collapse; margin-top: .5rem; }
 th, td { text-align: left; padding: .3rem; border-bottom: 1px solid #dcdcde; vertical-align: top; }
 td button { margin: 0 .25rem .25rem 0; padding: .2rem .6rem; }
 td input { width: 9rem; }
 .row { display: flex; gap: .75rem; flex-wrap: wrap; }
 .row label { flex: 1 1 10rem; }
 .row label.wide { flex: 3 1 20rem; }
 #phones { display: flex; gap: 1rem; flex-wrap: wrap; margin-top: 1.5rem; align-items: flex-start; }
 .phone { width: 22rem; border: 1px solid #c3c4c7; border-radius: 1.25rem; overflow: hidden; background: #efeae2; }
 .phone header { background: #075e54; color: #fff; padding: .6rem .8rem; display: flex; justify-content: space-between; align-items: center; gap: .5rem; }
 .phone header button { margin: 0; padding: .2rem .6rem; }
 .phone .who { font-weight: 600; }
 .phone .who small { display: block; font-weight: 400; opacity: .85; }
 .messages { max-height: 26rem; overflow-y: auto; padding: .6rem; display: flex; flex-direction: column; gap: .35rem; }
 /* Closed, a thread shows only its last message, as a chat list does; nothing is read. */
 .phone.closed .bubble:not(:last-child), .phone.closed .compose { display: none; }
 .bubble { max-width: 80%; padding: .4rem .55rem; border-radius: .6rem; background: #fff; box-shadow: 0 1px 0 rgba(0,0,0,.08); overflow-wrap: anywhere; }
 .bubble.in { align-self: flex-end; background: #d9fdd3; }
 .bubble.out { align-self: flex-start; }
 .bubble .meta { font-size: .75rem; color: #667781; text-align: right; }
 .ticks[data-status="read"] { color: #53bdeb; }
 .ticks[data-status="failed"] { color: #b32d2e; }
 .bubble .kind { font-size: .75rem; color: #667781; text-transform: uppercase; }
 .bubble img { max-width: 100%; display: block; }
 .choice { display: block; width: 100%; margin: .3rem 0 0; padding: .35rem; background: #fff; border: 1px solid #d1d7db; border-radius: .4rem; color: #027eb5; }
 .react { margin: 0 0 0 .3rem; padding: 0 .3rem; font-size: .8rem; }
 .compose { display: flex; gap: .3rem; padding: .5rem; background: #f0f2f5; flex-wrap: wrap; }
 .compose input { flex: 1 1 8rem; width: auto; }
 .compose button, .compose select { margin: 0; padding: .3rem .5rem; width: auto; }
 .phone .error { color: #b32d2e; font-weight: 600; padding: 0 .6rem; }
"#;

const SCRIPT: &str = r#"// The simulator's page: one phone per customer, kept in step with /threads.
'use strict';

const TICKS = { sent: '✓', delivered: '✓✓', read: '✓✓', failed: '✗' };
const open = new Set();
const phones = new Map();
const reading = new Set();

async function post(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  const answer = text ? JSON.parse(text) : {};
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function show(target, error, okText) {
  target.className = error ? 'failure' : '';
  target.textContent = error ? `Not delivered: ${error.message}` : okText;
}

const form = document.getElementById('say');
const result = document.getElementById('result');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = Object.fromEntries(new FormData(form).entries());
  try {
    const answer = await post('/say', body);
    show(result, null, `Delivered; Switchboard answered ${answer.status}.`);
  } catch (error) {
    show(result, error);
  }
  refreshThreads();
});

function keyOf(customer) {
  return `${customer.provider}:${customer.number}`;
}

function bubble(thread, m) {
  const node = el('div', { className: `bubble ${m.side}` });
  node.dataset.id = m.id;
  node.dataset.kind = m.kind;
  if (!['text', 'buttons', 'list'].includes(m.kind)) node.append(el('div', { className: 'kind', textContent: m.kind }));
  if (m.kind === 'image' && m.mediaUrl) node.append(el('img', { src: m.mediaUrl, alt: m.text || 'image' }));
  if (m.kind === 'document') node.append(el('div', { textContent: `📄 ${m.filename || 'document'}` }));
  if (m.kind === 'location' && m.latitude != null) node.append(el('div', { textContent: `📍 ${m.latitude}, ${m.longitude}` }));
  if (m.text) node.append(el('div', { className: 'text', textContent: m.text }));
  const customer = thread.customer;
  for (const b of m.buttons) {
    const button = el('button', { type: 'button', className: 'choice', textContent: b.title });
    button.dataset.choiceId = b.id;
    button.addEventListener('click', () => act(customer, post('/tap', { provider: customer.provider, number: customer.number, messageId: m.id, id: b.id, title: b.title, kind: 'button' })));
    node.append(button);
  }
  if (m.rows.length) {
    node.append(el('div', { className: 'kind', textContent: m.listButton || 'choose' }));
    for (const r of m.rows) {
      const row = el('button', { type: 'button', className: 'choice', textContent: r.description ? `${r.title} — ${r.description}` : r.title });
      row.dataset.choiceId = r.id;
      row.addEventListener('click', () => act(customer, post('/tap', { provider: customer.provider, number: customer.number, messageId: m.id, id: r.id, title: r.title, kind: 'row' })));
      node.append(row);
    }
  }
  const meta = el('div', { className: 'meta', textContent: new Date(m.at).toLocaleTimeString() });
  if (m.side === 'out') {
    const ticks = el('span', { className: 'ticks', textContent: ` ${TICKS[m.status] || ''}`, title: m.status || '' });
    ticks.dataset.status = m.status || '';
    meta.append(ticks);
    if (customer.provider === 'meta') {
      const react = el('button', { type: 'button', className: 'react', textContent: 'React', title: 'React with 👍' });
      react.addEventListener('click', () => say(customer, { kind: 'reaction', messageId: m.id, emoji: '👍' }));
      meta.append(react);
    }
  }
  node.append(meta);
  return node;
}

async function act(customer, promise) {
  const phone = phones.get(keyOf(customer));
  try {
    await promise;
    phone.error.textContent = '';
  } catch (error) {
    phone.error.textContent = `Not delivered: ${error.message}`;
  }
  refreshThreads();
}

function say(customer, extra) {
  return act(customer, post('/say', { provider: customer.provider, webhookUrl: customer.webhookUrl, from: customer.number, name: customer.name, text: '', ...extra }));
}

function makePhone(thread) {
  const customer = thread.customer;
  const key = keyOf(customer);
  const toggle = el('button', { type: 'button', className: 'toggle', textContent: 'Open' });
  const who = el('div', { className: 'who' });
  const failure = el('select', { className: 'failure-choice', title: 'Delivery failure' },
    el('option', { value: '', textContent: 'Delivers' }),
    el('option', { value: 'unreachable', textContent: 'Unreachable' }),
    el('option', { value: 'opted_out', textContent: 'Opted out of marketing' }));
  failure.addEventListener('change', () => act(customer, post('/failure', { provider: customer.provider, number: customer.number, failure: failure.value || null })));
  const messages = el('div', { className: 'messages' });
  const text = el('input', { placeholder: 'Message', className: 'compose-text' });
  const send = el('button', { type: 'submit', textContent: 'Send' });
  const place = el('button', { type: 'button', textContent: 'Location', title: 'Send a location' });
  const photo = el('button', { type: 'button', textContent: 'Photo', title: 'Send a photo (the caption is the message)' });
  const compose = el('form', { className: 'compose' }, text, send, place, photo, failure);
  compose.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    say(customer, { text: text.value });
    text.value = '';
  });
  place.addEventListener('click', () => say(customer, { kind: 'location', latitude: 40.4168, longitude: -3.7038 }));
  photo.addEventListener('click', () => { say(customer, { kind: 'image', text: text.value }); text.value = ''; });
  const error = el('div', { className: 'error', role: 'status' });
  const node = el('section', { className: 'phone closed' }, el('header', {}, who, toggle), messages, error, compose);
  node.dataset.customer = key;
  toggle.addEventListener('click', () => {
    if (open.has(key)) open.delete(key); else open.add(key);
    node.classList.toggle('closed', !open.has(key));
    toggle.textContent = open.has(key) ? 'Close' : 'Open';
    refreshThreads();
  });
  const phone = { node, who, messages, failure, error, shown: '', customer };
  phones.set(key, phone);
  document.getElementById('phones').append(node);
  return phone;
}

async function refreshThreads() {
  const response = await fetch('/threads');
  const threads = await response.json();
  document.getElementById('nophones').hidden = threads.length > 0;
  for (const thread of threads) {
    const key = keyOf(thread.customer);
    const phone = phones.get(key) || makePhone(thread);
    phone.customer = thread.customer;
    const json = JSON.stringify(thread);
    if (json !== phone.shown) {
      phone.shown = json;
      phone.who.replaceChildren(thread.customer.name, el('small', { textContent: `${thread.customer.number} · ${thread.customer.provider}` }));
      phone.failure.value = thread.customer.failure || '';
      phone.messages.replaceChildren(...thread.messages.map((m) => bubble(thread, m)));
      phone.messages.scrollTop = phone.messages.scrollHeight;
    }
    const unread = thread.messages.some((m) => m.side === 'out' && m.status === 'delivered');
    if (open.has(key) && unread && !reading.has(key)) {
      reading.add(key);
      act(thread.customer, post('/read', { provider: thread.customer.provider, number: thread.customer.number }))
        .finally(() => reading.delete(key));
    }
  }
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}
async function review(template, verdict, reason) {
  const out = document.getElementById('templateResult');
  const webhookUrl = document.getElementById('metaWebhookUrl').value.trim();
  const body = { name: template.name, provider: template.provider, language: template.language, verdict, reason: reason || null, webhookUrl: webhookUrl || null };
  const response = await fetch('/templates/review', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
  out.className = response.ok ? '' : 'failure';
  out.textContent = response.ok ? answer.map((r) => `${r.template.name}: ${r.template.status}; ${r.note}`).join(' ') : `Not reviewed: ${answer.error}`;
  refreshTemplates();
}
let shownTemplates = '';
async function refreshTemplates() {
  const response = await fetch('/templates');
  const text = await response.text();
  if (text === shownTemplates) return;
  shownTemplates = text;
  const templates = JSON.parse(text);
  const body = document.getElementById('templates');
  if (!templates.length) {
    body.replaceChildren(Object.assign(document.createElement('tr'), { innerHTML: '<td colspan="5" class="muted">No templates yet.</td>' }));
    return;
  }
  body.replaceChildren(...templates.map((t) => {
    const row = document.createElement('tr');
    row.dataset.template = `${t.provider}:${t.name}:${t.language}`;
    row.append(cell(t.provider), cell(t.name), cell(t.language), cell(t.status + (t.reason ? ` (${t.reason})` : '')));
    const actions = document.createElement('td');
    const reason = Object.assign(document.createElement('input'), { placeholder: 'reason', value: 'INVALID_FORMAT' });
    for (const [verdict, label] of [['approve', 'Approve'], ['reject', 'Reject'], ['pause', 'Pause']]) {
      const button = Object.assign(document.createElement('button'), { type: 'button', textContent: label });
      button.addEventListener('click', () => review(t, verdict, verdict === 'reject' ? reason.value : null));
      actions.append(button);
    }
    actions.append(reason);
    row.append(actions);
    return row;
  }));
}

setInterval(() => { refreshThreads(); refreshTemplates(); }, 1000);
refreshThreads();
refreshTemplates();
"#;
