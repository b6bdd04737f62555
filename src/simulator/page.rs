//! The simulator's "be the customer" page: one form and the list of what the business sent.

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
<script>
const form = document.getElementById('say');
const result = document.getElementById('result');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = Object.fromEntries(new FormData(form).entries());
  const response = await fetch('/say', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
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
setInterval(refresh, 2000);
refresh();
</script>
</body>
</html>
"#;
