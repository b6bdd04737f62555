// The composer: a conversation whose 24-hour window is closed offers approved templates only
// (pick, fill, preview, send, delivered); once the customer writes, a quick reply by `/`,
// bold from the toolbar, an emoji, an uploaded PNG with a caption, and an internal note.
// Driven through /dev/composer/<conversationId>, the composer's own page.

import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

export default async function (ctx) {
  const { session, DEMO, newTenant, demoChannels, api, sim, say, until, logIn, screenshot, checkA11y, APP_URL, SIM_URL, name } = ctx;
  const tenant = await newTenant('Composer Co');
  const { meta } = await demoChannels(tenant.token);
  const phone = '+34600123456';

  await api(
    'mutation($i: CreateQuickReplyInput!) { createQuickReply(input: $i) { id } }',
    { i: { shortcut: 'thanks', text: 'Thanks {{contact.name}}, we are on it!' } },
    tenant.token,
  );
  await api(
    'mutation($i: CreateQuickReplyInput!) { createQuickReply(input: $i) { id } }',
    { i: { shortcut: 'hours', text: 'We answer from 9:00 to 18:00, Monday to Friday.' } },
    tenant.token,
  );
  // A quick reply that carries a picture, uploaded as any client would.
  const uploaded = await fetch(`${APP_URL}/media?filename=map.png`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'image/png' },
    body: PNG,
  }).then((r) => r.json());
  await api(
    'mutation($i: CreateQuickReplyInput!) { createQuickReply(input: $i) { id } }',
    { i: { shortcut: 'map', text: 'Our shop, {{contact.name}}', media: { type: 'IMAGE', mediaId: uploaded.id } } },
    tenant.token,
  );
  await api(
    `mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }`,
    {
      i: {
        channelId: meta.id,
        name: 'order_update',
        language: 'en',
        category: 'UTILITY',
        body: 'Hi {{1}}, your order *{{2}}* is on its way.',
        footer: 'Reply STOP to opt out',
        quickReplies: ['Track it', 'Talk to us'],
        examples: ['Ana', 'A-1042'],
      },
    },
    tenant.token,
  );
  await sim('/templates/review', { name: 'order_update', provider: 'meta', verdict: 'approve', webhookUrl: meta.webhookUrl });
  await until('the template to be approved', async () => {
    const d = await api('query($c: ID!) { templates(channelId: $c) { status } }', { c: meta.id }, tenant.token);
    return d.templates[0]?.status === 'APPROVED';
  });

  // A conversation whose window has closed: Ana's first message reaches us 25 hours late (a
  // delayed Meta webhook, signed with the channel's app secret), so it opens the conversation
  // with its 24-hour window already over. (A business-initiated send opens no conversation.)
  const wamid = `wamid.composer-${Date.now()}`;
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: DEMO.meta.businessAccountId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: DEMO.meta.number.slice(1), phone_number_id: DEMO.meta.phoneNumberId },
              contacts: [{ profile: { name: 'Ana Customer' }, wa_id: phone.slice(1) }],
              messages: [
                {
                  from: phone.slice(1),
                  id: wamid,
                  timestamp: String(Math.floor(Date.now() / 1000) - 25 * 3600),
                  type: 'text',
                  text: { body: 'Hi, is my order shipped?' },
                },
              ],
            },
          },
        ],
      },
    ],
  });
  const signature = createHmac('sha256', DEMO.meta.appSecret).update(body).digest('hex');
  const delivered = await fetch(meta.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` },
    body,
  });
  if (!delivered.ok) throw new Error(`the late webhook answered ${delivered.status}: ${await delivered.text()}`);
  const conversationId = await until('the conversation', async () => {
    const d = await api('{ conversations(first: 5) { edges { node { id windowOpen contact { phoneNumber } } } } }', {}, tenant.token);
    return d.conversations.edges.map((e) => e.node).find((c) => c.contact.phoneNumber === phone && !c.windowOpen)?.id;
  });
  const messages = async () =>
    (await api('query($id: ID!) { conversation(id: $id) { messages(first: 20) { edges { node { text status content { __typename } } } } } }', { id: conversationId }, tenant.token))
      .conversation.messages.edges.map((e) => e.node);
  const outbox = async () => (await fetch(`${SIM_URL}/outbox`).then((r) => r.json())).filter((m) => m.to === phone);

  const page = await session.newPage();
  await logIn(page, tenant.email, tenant.password);
  await page.goto(`${APP_URL}/dev/composer/${conversationId}`);

  // Window closed: no free text, only the template picker.
  await page.getByText('The 24-hour window is closed').waitFor();
  if ((await page.getByRole('textbox', { name: 'Reply' }).count()) !== 0) throw new Error('free text offered with the window closed');
  await page.getByRole('combobox', { name: 'Template' }).click();
  await page.getByRole('option', { name: 'order_update (en)' }).click();
  await page.getByRole('textbox', { name: 'Variable 1' }).fill('Ana');
  await page.getByRole('textbox', { name: 'Variable 2' }).fill('B-2002');
  const preview = page.getByTestId('template-preview');
  await preview.getByText('Hi Ana, your order').waitFor();
  await preview.locator('strong', { hasText: 'B-2002' }).waitFor();
  await screenshot(page, name, 'template-picker');
  await checkA11y(page, 'the template picker');
  await page.getByRole('button', { name: 'Send template' }).click();
  await until('the template to be delivered', async () =>
    (await messages()).some((m) => m.text?.includes('B-2002') && ['DELIVERED', 'READ'].includes(m.status)),
  );

  // The customer writes: the window opens and the reply box appears.
  await say('meta', meta, phone, 'Hello! Where is my order?');
  const reply = page.getByRole('textbox', { name: 'Reply' });
  await reply.waitFor();

  // With the window open, templates are still a button away.
  await page.getByRole('button', { name: 'Templates' }).click();
  const dialog = page.getByRole('dialog', { name: 'Send a template' });
  await dialog.getByRole('combobox', { name: 'Template' }).waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  // A quick reply by `/`.
  await reply.click();
  await reply.pressSequentially('/');
  await page.getByRole('option', { name: '/hours' }).waitFor();
  await page.getByRole('option', { name: '/thanks' }).waitFor();
  await screenshot(page, name, 'quick-replies');
  await checkA11y(page, 'the quick-reply popover');
  await reply.pressSequentially('tha');
  await page.getByRole('option', { name: '/hours' }).waitFor({ state: 'detached' });
  await page.getByRole('option', { name: '/thanks' }).waitFor();
  await reply.press('Enter');
  await until('the quick reply to be inserted', async () => /^Thanks .+, we are on it!$/.test(await reply.inputValue()));

  // Bold from the toolbar (an empty selection gets a pair to type into), then an emoji.
  await reply.press('End');
  await reply.pressSequentially(' Arriving ');
  await page.getByRole('button', { name: 'Bold' }).click();
  await reply.pressSequentially('today');
  await reply.press('End');
  await reply.pressSequentially(' ');
  await page.getByRole('button', { name: 'Insert an emoji' }).click();
  await page.getByRole('textbox', { name: 'Type to search for an emoji' }).fill('rocket');
  await page.getByLabel('rocket', { exact: true }).click();
  await until('the emoji at the caret', async () => (await reply.inputValue()).endsWith('Arriving *today* 🚀'));
  await page.getByRole('switch', { name: 'Preview' }).check();
  await page.getByRole('region', { name: 'Formatting preview' }).locator('strong', { hasText: 'today' }).waitFor();
  await screenshot(page, name, 'composer-open');
  await checkA11y(page, 'the composer');
  await reply.press('Enter');
  await until('the formatted reply at the simulator', async () =>
    (await outbox()).some((m) => m.kind === 'text' && m.summary.includes('Arriving *today* 🚀')),
  );
  await until('the reply box to be cleared after sending', async () => (await reply.inputValue()) === '');

  // An image with a caption: the upload is held until its progress bar has been seen.
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'composer-')), 'receipt.png');
  writeFileSync(file, PNG);
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route('**/media?*', async (route) => {
    await held;
    await route.continue();
  });
  await page.getByLabel('Attachment file').setInputFiles(file);
  await page.getByRole('progressbar', { name: 'Uploading receipt.png' }).waitFor({ state: 'attached' });
  await page.getByRole('button', { name: 'Cancel the upload' }).waitFor();
  await screenshot(page, name, 'uploading');
  release();
  await page.getByText('Ready to send').waitFor();
  await reply.fill('Here is your receipt');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await until('the image at the simulator', async () => (await outbox()).some((m) => m.kind === 'image' && m.summary.includes('Here is your receipt')));
  await page.unroute('**/media?*');

  // A quick reply with a picture: the picture comes along, the text becomes its caption.
  await reply.pressSequentially('/map');
  await page.getByRole('option', { name: '/map' }).waitFor();
  await reply.press('Enter');
  await page.getByText('Ready to send').waitFor();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await until('the quick reply’s picture at the simulator', async () =>
    (await outbox()).some((m) => m.kind === 'image' && m.summary.includes('Our shop, Ana Customer')),
  );
  await page.getByText('Ready to send').waitFor({ state: 'detached' });

  // A file WhatsApp does not carry: the server's refusal, with its code.
  await page.getByLabel('Attachment file').setInputFiles({ name: 'tool.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
  const refused = page.getByRole('alert').filter({ hasText: 'The upload failed' });
  await refused.getByText('BAD_USER_INPUT').waitFor();
  await page.getByRole('button', { name: 'Remove the attachment' }).click();
  await refused.waitFor({ state: 'detached' });

  // An internal note: stored, never sent.
  const sentBefore = (await outbox()).length;
  await page.getByText('Note', { exact: true }).click();
  await reply.fill('Customer is waiting for a refund too');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.getByText('Note by Olivia Owner: Customer is waiting for a refund too').waitFor();
  if ((await outbox()).length !== sentBefore) throw new Error('a note reached the customer');

  // An opted-out customer: the API's refusal shows with its message and code.
  await page.getByText('Reply', { exact: true }).click();
  const { conversation } = await api('query($id: ID!) { conversation(id: $id) { contact { id } } }', { id: conversationId }, tenant.token);
  await api('mutation($c: ID!) { setContactOptIn(contactId: $c, optedIn: false) { id } }', { c: conversation.contact.id }, tenant.token);
  await reply.fill('Are you still there?');
  await reply.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'The message was not sent' }).getByText('OPTED_OUT').waitFor();
  await screenshot(page, name, 'send-error');

  // At tablet width.
  await page.setViewportSize({ width: 800, height: 900 });
  await screenshot(page, name, 'composer-tablet');
  await page.setViewportSize({ width: 1366, height: 860 });

  // Dark mode.
  await page.getByRole('button', { name: 'Switch to dark mode' }).click();
  await page.waitForFunction(() => document.documentElement.dataset.mantineColorScheme === 'dark');
  await screenshot(page, name, 'composer-dark');
  await page.getByRole('button', { name: 'Switch to light mode' }).click();
}
