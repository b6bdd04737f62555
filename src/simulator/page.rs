//! The simulator's "be the customer" page: one form, the list of what the business sent, and
//! the templates waiting for review.

pub const HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Switchboard simulator</title>
<style>
 body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1d2327; }
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
</style>
</head>
<body>
<h1>Be the customer</h1>
<p class="muted">Messages go to Switchboard as signed provider webhooks. Paste the channel's
<code>webhookUrl</code> from Switchboard's API.</p>
<form id="say">
 <label for="provider">Provider</label>
 <select id="provider" name="provider"><option value="twilio">Twilio</option><option value="meta">Meta</option></select>
 <label for="webhookUrl">Channel webhook URL</label>
 <input id="webhookUrl" name="webhookUrl" required placeholder="http://127.0.0.1:8080/webhooks/twilio/…">
 <label for="from">Your number</label>
 <input id="from" name="from" required value="+34600000000">
 <label for="name">Your name</label>
 <input id="name" name="name" value="Ana">
 <label for="text">Message</label>
 <textarea id="text" name="text" rows="3" required>Hello! I need help with my order.</textarea>
 <button type="submit">Send</button>
</form>
<div id="result" role="status"></div>
<h2>What the business sent</h2>
<ul id="outbox"><li class="muted">Nothing yet.</li></ul>
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
<script>
const form = document.getElementById('say');
const result = document.getElementById('result');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = Object.fromEntries(new FormData(form).entries());
  const response = await fetch('/say', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
  result.className = response.ok ? '' : 'failure';
  result.textContent = response.ok ? `Delivered; Switchboard answered ${answer.status}.` : `Not delivered: ${answer.error}`;
});
async function refresh() {
  const response = await fetch('/outbox');
  const sent = await response.json();
  const list = document.getElementById('outbox');
  list.replaceChildren(...(sent.length ? sent.map((m) => {
    const item = document.createElement('li');
    item.textContent = `${m.provider} → ${m.to} (${m.kind}): ${m.summary}`;
    return item;
  }) : [Object.assign(document.createElement('li'), { className: 'muted', textContent: 'Nothing yet.' })]));
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
setInterval(() => { refresh(); refreshTemplates(); }, 2000);
refresh();
refreshTemplates();
</script>
</body>
</html>
"#;
