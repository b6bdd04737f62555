// Templates and outgoing webhooks. A Meta template made in the editor (its preview follows
// the body as it is typed; a bad name shows the API's message and code) turns APPROVED live
// when the simulator's reviewer approves it; sync reads the provider; a rejection shows its
// reason live; a template is deleted after a confirmation and edited back into review. An
// endpoint for MESSAGE_RECEIVED made in the form (a bad document is refused with its line
// and column) shows its secret once; a test ping is DELIVERED; with the receiver answering
// 500 a customer's message fails its attempts, and once it answers 200, Redeliver delivers
// it. Then the state filter, a replay and a rotated secret; dark mode and tablet width.

import { createHmac } from 'node:crypto';
import http from 'node:http';

export default async function ({ session, newTenant, demoChannels, logIn, screenshot, checkA11y, sim, until, api, name }) {
  const tenant = await newTenant('Integrations Co');
  const { meta, twilio } = await demoChannels(tenant.token);

  // The receiver of the outgoing webhooks: it answers `status`, and keeps what it received.
  let status = 200;
  const received = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body, answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'thanks' : 'receiver is down');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;

  try {
    const page = await session.newPage();
    // A screenshot from the top of the page, without the toasts of earlier steps.
    const shoot = async (label) => {
      for (const close of await page.getByRole('button', { name: 'Dismiss notification' }).all()) await close.click().catch(() => {});
      await until('no toasts', async () => (await page.getByRole('button', { name: 'Dismiss notification' }).count()) === 0, 5_000).catch(() => {});
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, name, label);
    };
    await logIn(page, tenant.email, tenant.password);

    // ---- Templates -------------------------------------------------------------------
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
    await page.getByText('No templates yet').waitFor();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByRole('heading', { name: 'New template' }).waitFor();

    await page.getByRole('combobox', { name: 'Channel' }).click();
    await page.getByRole('option', { name: /^Meta/ }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Order Update');
    const preview = page.getByRole('figure', { name: 'Template preview' });
    await preview.getByText('The body appears here as you type it.').waitFor();
    const body = page.getByRole('textbox', { name: 'Body' });
    await body.pressSequentially('Hi {{1}}, your order is on its way.');
    await preview.getByText('Hi {{1}}, your order is on its way.').waitFor();
    await page.getByRole('textbox', { name: 'Example for {{1}}' }).fill('Ana');
    await preview.getByText('Hi Ana, your order is on its way.').waitFor();
    await page.locator('label[for$="-TEXT"]').click();
    await page.getByRole('textbox', { name: 'Header text' }).fill('Your order');
    await page.getByRole('textbox', { name: 'Footer' }).fill('Reply STOP to opt out');
    await page.getByRole('combobox', { name: 'Quick-reply buttons' }).fill('Track it');
    await page.keyboard.press('Enter');
    await preview.getByText('Track it').waitFor();
    await preview.getByText('Reply STOP to opt out').waitFor();
    await shoot('template-editor');
    await checkA11y(page, 'the template editor');

    // A name the API refuses: its message and code show in the form.
    await page.getByRole('button', { name: 'Create template' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'The template was not saved' });
    await refused.getByText('BAD_USER_INPUT').waitFor();
    await page.getByRole('textbox', { name: 'Name' }).fill('order_update');
    await page.getByRole('button', { name: 'Create template' }).click();

    await page.getByRole('heading', { name: 'Templates' }).waitFor();
    const row = page.getByTestId('template-order_update');
    await row.getByTestId('template-status').getByText('PENDING').waitFor();
    await shoot('templates-pending');
    await checkA11y(page, 'the template list');

    // Meta's reviewer approves it: the badge turns without a reload.
    await sim('/templates/review', { name: 'order_update', provider: 'meta', verdict: 'approve', webhookUrl: meta.webhookUrl });
    await row.getByTestId('template-status').getByText('APPROVED').waitFor();
    await page.getByRole('button', { name: 'Sync' }).click();
    await page.getByText(/Synced: \d+ template/).waitFor();
    await row.getByTestId('template-status').getByText('APPROVED').waitFor();
    await shoot('templates-approved');

    // A rejection shows its reason, live; a template is deleted after a confirmation.
    await api(
      'mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }',
      { i: { channelId: meta.id, name: 'spring_sale', language: 'en', category: 'MARKETING', body: 'Spring sale: {{1}} off!', examples: ['20%'] } },
      tenant.token,
    );
    await page.getByRole('button', { name: 'Sync' }).click();
    const rejected = page.getByTestId('template-spring_sale');
    await rejected.getByTestId('template-status').getByText('PENDING').waitFor();
    await sim('/templates/review', { name: 'spring_sale', provider: 'meta', verdict: 'reject', reason: 'PROMOTIONAL', webhookUrl: meta.webhookUrl });
    await rejected.getByTestId('template-status').getByText('REJECTED').waitFor();
    await rejected.getByText('PROMOTIONAL').waitFor();
    await shoot('templates-rejected');
    await rejected.getByRole('button', { name: 'Delete spring_sale' }).click();
    await page.getByRole('dialog', { name: 'Delete this template?' }).getByRole('button', { name: 'Delete template' }).click();
    await rejected.waitFor({ state: 'detached' });

    // A Twilio template waits for Submit.
    await api(
      'mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }',
      { i: { channelId: twilio.id, name: 'visit_reminder', language: 'en', category: 'UTILITY', body: 'See you at {{1}}.', examples: ['10:00'] } },
      tenant.token,
    );
    await page.getByRole('combobox', { name: 'Channel' }).click();
    await page.getByRole('option', { name: 'Twilio' }).click();
    const twilioRow = page.getByTestId('template-visit_reminder');
    await twilioRow.getByTestId('template-status').getByText('UNSUBMITTED').waitFor();
    await twilioRow.getByRole('button', { name: 'Submit visit_reminder for approval' }).click();
    await twilioRow.getByTestId('template-status').getByText('PENDING').waitFor();
    await page.getByRole('combobox', { name: 'Channel' }).click();
    await page.getByRole('option', { name: 'All channels' }).click();

    // Editing goes to review again; the name, language and channel stay.
    await row.getByRole('link', { name: 'Edit order_update' }).click();
    await page.getByRole('heading', { name: 'Edit order_update' }).waitFor();
    await until('the name locked', () => page.getByRole('textbox', { name: 'Name' }).isDisabled());
    await page.getByRole('textbox', { name: 'Example for {{1}}' }).fill('Ana');
    await page.getByRole('textbox', { name: 'Footer' }).fill('Reply STOP to stop these');
    await page.getByRole('figure', { name: 'Template preview' }).getByText('Reply STOP to stop these').waitFor();
    await page.getByRole('button', { name: 'Save and resubmit' }).click();
    await row.getByTestId('template-status').getByText('PENDING').waitFor();
    await sim('/templates/review', { name: 'order_update', provider: 'meta', verdict: 'approve', webhookUrl: meta.webhookUrl });
    await row.getByTestId('template-status').getByText('APPROVED').waitFor();

    // ---- Outgoing webhooks -----------------------------------------------------------
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Outgoing webhooks' }).click();
    await page.getByText('No endpoints yet').waitFor();
    await page.getByRole('link', { name: 'New endpoint' }).first().click();
    await page.getByRole('textbox', { name: 'URL' }).fill(hookUrl);
    await page.getByRole('textbox', { name: 'Description' }).fill('CRM sync');
    await page.getByRole('checkbox', { name: 'MESSAGE_RECEIVED' }).check();
    const documentBox = page.getByRole('textbox', { name: 'Document for MESSAGE_RECEIVED' });
    await until('the default document', async () => (await documentBox.inputValue()).includes('messageEvents'));

    // A document selecting a field that does not exist: refused with where it is.
    await documentBox.fill('subscription {\n  messageEvents {\n    nosuchfield\n  }\n}');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByTestId('document-error-location').getByText(/Line 3, column \d+/).waitFor();
    await page.getByRole('alert').filter({ hasText: 'The endpoint was not saved' }).getByText('BAD_USER_INPUT').waitFor();
    await shoot('endpoint-form-error');
    await page.getByRole('button', { name: 'Reset to default' }).click();
    await shoot('endpoint-form');
    await checkA11y(page, 'the endpoint form');
    await page.getByRole('button', { name: 'Create endpoint' }).click();

    // The secret, once.
    const secretDialog = page.getByRole('dialog', { name: 'The signing secret' });
    await secretDialog.getByTestId('webhook-secret').getByText(/^whsec_/).waitFor();
    const secret = (await secretDialog.getByTestId('webhook-secret').textContent()).trim();
    await secretDialog.getByRole('button', { name: 'Copy the secret' }).waitFor();
    await shoot('endpoint-secret');
    await secretDialog.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByText('Nothing delivered yet').waitFor();

    // A test ping reaches the receiver.
    await page.getByRole('button', { name: 'Send test ping' }).click();
    const deliveries = page.getByRole('table', { name: 'Deliveries' });
    await deliveries.locator('[data-testid="delivery"][data-state="DELIVERED"]').filter({ hasText: 'PING' }).waitFor();
    const ping = await until('the ping at the receiver', () => received.find((r) => r.headers['x-switchboard-event'] === 'ping'));
    // Signed with the secret the form showed.
    const mac = createHmac('sha256', secret).update(`${ping.headers['x-switchboard-timestamp']}.${ping.body}`).digest('hex');
    if (!ping.headers['x-switchboard-signature'].split(',').includes(`v1=${mac}`)) {
      throw new Error(`the ping is not signed with the secret shown: ${ping.headers['x-switchboard-signature']}`);
    }

    // The receiver fails: a customer's message fails its attempts.
    status = 500;
    // (The control API reads `webhookUrl`; lib's `say` sends `webhook_url`.)
    await sim('/say', { provider: 'meta', webhookUrl: meta.webhookUrl, from: '+34600111222', name: 'Ana Customer', text: 'Hello, is my order coming?' });
    const message = deliveries.locator('[data-testid="delivery"]').filter({ hasText: 'MESSAGE_RECEIVED' });
    await until('a failed attempt', async () => (await message.getByText('500').count()) > 0);
    await message.getByRole('button', { name: /Show the attempts of MESSAGE_RECEIVED/ }).click();
    await deliveries.getByRole('table', { name: 'Attempts' }).getByText('500').first().waitFor();
    await deliveries.getByTestId('payload').getByText(/Hello, is my order coming\?/).waitFor();
    await shoot('delivery-log-failing');
    await checkA11y(page, 'the delivery log');

    // The receiver is back: Redeliver delivers it.
    status = 200;
    await message.getByRole('button', { name: /^Redeliver MESSAGE_RECEIVED/ }).click();
    await deliveries.locator('[data-testid="delivery"][data-state="DELIVERED"]').filter({ hasText: 'MESSAGE_RECEIVED' }).waitFor();
    await until('the message at the receiver', () =>
      received.some((r) => r.headers['x-switchboard-event'] === 'message.received' && r.answered === 200),
    );
    await shoot('delivery-log');

    // The state filter, a replay of the last hour, and a rotated secret with its overlap.
    await page.getByRole('combobox', { name: 'State' }).click();
    await page.getByRole('option', { name: 'FAILED' }).click();
    await page.getByText('No failed deliveries').waitFor();
    await checkA11y(page, 'the filtered delivery log');
    await page.getByRole('combobox', { name: 'State' }).click();
    await page.getByRole('option', { name: 'Every state' }).click();
    await page.getByRole('table', { name: 'Deliveries' }).waitFor();
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Replay a period' }).click();
    await page.getByRole('dialog', { name: 'Replay a period' }).getByRole('button', { name: 'Replay' }).click();
    await page.getByText(/\d+ deliveries sent again/).waitFor();
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Rotate secret' }).click();
    const rotate = page.getByRole('dialog', { name: 'Rotate the signing secret' });
    await rotate.getByRole('combobox', { name: 'The old secret keeps signing for' }).click();
    await page.getByRole('option', { name: '1 hour' }).click();
    await rotate.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = page.getByRole('dialog', { name: 'The signing secret' });
    await rotated.getByTestId('webhook-secret').getByText(/^whsec_/).waitFor();
    await rotated.getByText(/The previous secret keeps signing beside this one until/).waitFor();
    await shoot('secret-rotated');
    await rotated.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByText(/Old one signs until/).waitFor();

    // The same screen in dark mode.
    await page.getByRole('button', { name: 'Switch to dark mode' }).click();
    await page.waitForFunction(() => document.documentElement.dataset.mantineColorScheme === 'dark');
    await shoot('delivery-log-dark');
    await page.getByRole('button', { name: 'Switch to light mode' }).click();

    // The list shows the endpoint.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Outgoing webhooks' }).click();
    await page.getByRole('link', { name: hookUrl, exact: true }).waitFor();
    await page.getByRole('switch', { name: `Enabled: ${hookUrl}` }).click({ force: true });
    await page.getByRole('table').getByText('Disabled').waitFor();
    await page.getByRole('switch', { name: `Enabled: ${hookUrl}` }).click({ force: true });
    await page.getByRole('table').getByText('Active').waitFor();
    await shoot('endpoints');
    await checkA11y(page, 'the endpoint list');

    // At tablet width the tables scroll inside their frame and the forms stack.
    await page.setViewportSize({ width: 800, height: 1000 });
    await page.getByRole('link', { name: `Delivery log of ${hookUrl}` }).click();
    await page.getByRole('table', { name: 'Deliveries' }).waitFor();
    await shoot('delivery-log-tablet');
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Delete endpoint' }).click();
    await page.getByRole('dialog', { name: 'Delete this endpoint?' }).getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByText('No endpoints yet').waitFor();
    await page.goto(new URL('/templates/new', page.url()).href);
    await page.getByRole('heading', { name: 'New template' }).waitFor();
    await shoot('template-editor-tablet');
  } finally {
    receiver.close();
  }
}
