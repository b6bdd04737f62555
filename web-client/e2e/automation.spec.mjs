// Routing and agent-workflow admin: two queues made in the UI (a third made and deleted), the
// owner a member with a capacity and live presence, business hours with a holiday saved and
// still there after a reload, a welcome message, CSAT on; a routing rule to the second queue,
// a second rule moved above it, the test box with a message that matches and one that does
// not, and a real message counted live in the queue list; a label created, refused as a
// duplicate, renamed and deleted; a CHOICE contact attribute; quick replies (one with an
// uploaded image) listed. Screenshots and axe checks of every screen; one in dark mode, one
// at tablet width.

// A 1×1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

export default async function ({ session, newTenant, demoChannels, say, logIn, screenshot, checkA11y, APP_URL, name }) {
  const tenant = await newTenant('Automation Co');
  const channels = await demoChannels(tenant.token);
  const page = await session.newPage();
  // Tall enough that the queue page's full-page screenshots need no scrolling under the header.
  await page.setViewportSize({ width: 1280, height: 1400 });
  await logIn(page, tenant.email, tenant.password);

  const nav = page.getByRole('navigation', { name: 'Main' });
  const dialog = page.getByRole('dialog');
  const pick = async (label, option, scope = page) => {
    // Mantine's Select is a combobox, or a plain textbox when it does not say it expands.
    await scope.getByRole('combobox', { name: label }).or(scope.getByRole('textbox', { name: label })).first().click();
    await page.getByRole('option', { name: option }).click();
  };

  // Queues: the tenant's default queue is there; two more are made through the form.
  await nav.getByRole('link', { name: 'Queues' }).click();
  await page.getByRole('heading', { name: 'Queues' }).waitFor();
  await page.getByRole('link', { name: 'Default' }).waitFor();
  for (const queue of ['Sales', 'Billing']) {
    await page.goto(`${APP_URL}/queues`);
    await page.getByRole('button', { name: 'New queue' }).click();
    await dialog.getByRole('textbox', { name: 'Name' }).fill(queue);
    await dialog.getByRole('button', { name: 'Create queue' }).click();
    await page.getByRole('heading', { name: queue, level: 2 }).waitFor();
  }
  const billingUrl = page.url();

  // The owner joins Billing with a capacity of 3.
  await pick('Add a member', /Olivia Owner/);
  await page.getByRole('textbox', { name: 'Capacity' }).fill('3');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('button', { name: 'Save members' }).click();
  await page.getByRole('tab', { name: 'Members (1)' }).waitFor();
  await page.getByRole('textbox', { name: 'Capacity of Olivia Owner' }).waitFor();
  if ((await page.getByRole('textbox', { name: 'Capacity of Olivia Owner' }).inputValue()) !== '3') throw new Error('capacity not kept');
  // Presence is live: going online in the header shows in the members table.
  await page.getByRole('radiogroup', { name: 'Your presence' }).getByText('Online').click();
  await page.getByRole('table', { name: 'Queue members' }).getByText('online').waitFor();
  await screenshot(page, name, 'queue-members');
  await checkA11y(page, 'the queue page');

  // Business hours: weekdays 09:00–17:00 by default, Monday until 18:00, Saturday mornings.
  await page.getByRole('tab', { name: 'Business hours' }).click();
  await page.getByRole('switch', { name: /Always open/ }).click();
  await pick('Time zone', 'Europe/Madrid');
  await page.getByRole('textbox', { name: 'Monday closes' }).fill('18:00');
  await page.getByRole('button', { name: 'Add Saturday interval' }).click();
  await page.getByRole('textbox', { name: 'Saturday closes' }).fill('13:00');
  // A holiday: the 28th of the month the calendar opens on, closed all day.
  const now = new Date();
  const month = now.toLocaleString('en-US', { month: 'long' });
  const holiday = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-28`;
  await page.getByRole('button', { name: 'Exception date' }).click();
  await page.getByRole('button', { name: `28 ${month} ${now.getFullYear()}` }).click();
  await page.getByRole('button', { name: 'Add exception' }).click();
  await page.getByText(holiday, { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Save hours' }).click();
  await page.getByTestId('hours-summary').waitFor();
  await screenshot(page, name, 'queue-hours');

  await page.reload();
  await page.getByRole('tab', { name: 'Business hours' }).click();
  const summary = page.getByTestId('hours-summary');
  await summary.getByText(/Europe\/Madrid: Mon 09:00–18:00 .* Sat 09:00–13:00 · Sun Closed/).waitFor();
  if ((await page.getByRole('textbox', { name: 'Monday closes' }).inputValue()) !== '18:00') throw new Error('hours not kept');
  await page.getByText(holiday, { exact: true }).waitFor();
  await page.getByText('Closed all day', { exact: true }).waitFor();
  await checkA11y(page, 'the business hours editor');

  // Automated messages: a welcome text.
  await page.getByRole('tab', { name: 'Automated messages' }).click();
  // Mantine draws the track over the switch's input: click it as a person would, through it.
  await page.getByRole('switch', { name: 'Send the welcome message' }).click({ force: true });
  await page.getByRole('textbox', { name: 'Welcome text' }).fill('Hi! Billing here, we answer within the hour.');
  await page.getByRole('button', { name: 'Save automated messages' }).click();
  await page.getByText(/^Changed /).first().waitFor();
  await screenshot(page, name, 'queue-automations');
  await checkA11y(page, 'the automated messages');

  // CSAT on; a reload shows it on.
  await page.getByRole('tab', { name: 'Satisfaction' }).click();
  await page.getByRole('switch', { name: /Ask for a rating/ }).click();
  await page.getByRole('button', { name: 'Save survey' }).click();
  await page.getByText('Satisfaction survey saved').waitFor();
  await page.goto(billingUrl);
  await page.getByText('CSAT on').waitFor();
  await page.getByRole('tab', { name: 'Satisfaction' }).click();
  if (!(await page.getByRole('switch', { name: /Ask for a rating/ }).isChecked())) throw new Error('CSAT not kept');
  await screenshot(page, name, 'queue-csat');

  // A third queue made and deleted again: the list no longer has it.
  await page.goto(`${APP_URL}/queues`);
  await page.getByRole('button', { name: 'New queue' }).click();
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Temporary');
  await dialog.getByRole('button', { name: 'Create queue' }).click();
  await page.getByRole('heading', { name: 'Temporary', level: 2 }).waitFor();
  await page.getByRole('button', { name: 'Delete queue' }).click();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('heading', { name: 'Queues', level: 2 }).waitFor();
  await page.getByRole('link', { name: 'Billing' }).waitFor();
  await page.getByRole('link', { name: 'Temporary' }).waitFor({ state: 'detached' });
  await page.getByText('0 waiting').first().waitFor();
  await screenshot(page, name, 'queues');
  await checkA11y(page, 'the queue list');

  // Routing: a keyword rule to Billing, then the test box.
  await nav.getByRole('link', { name: 'Routing rules' }).click();
  await page.getByText('No routing rules yet').waitFor();
  await page.getByRole('button', { name: 'New rule' }).click();
  await dialog.getByRole('textbox', { name: 'Rule name' }).fill('Refunds to Billing');
  await pick('Send to queue', 'Billing', dialog);
  await dialog.getByRole('textbox', { name: 'Condition 1 value' }).fill('refund');
  await dialog.getByRole('button', { name: 'Create rule' }).click();
  await page.getByRole('table', { name: 'Routing rules' }).getByText('1. Refunds to Billing').waitFor();

  // A second rule, by language, moved to the top of the order.
  await page.getByRole('button', { name: 'New rule' }).click();
  await dialog.getByRole('textbox', { name: 'Rule name' }).fill('Spanish speakers');
  await pick('Send to queue', 'Sales', dialog);
  await pick('Condition 1 kind', "Contact's language is", dialog);
  await dialog.getByRole('textbox', { name: 'Condition 1 value' }).fill('es');
  await dialog.getByRole('button', { name: 'Create rule' }).click();
  await page.getByText('2. Spanish speakers').waitFor();
  await page.getByRole('button', { name: 'Move Spanish speakers up' }).click();
  await page.getByText('1. Spanish speakers').waitFor();
  await page.getByText('2. Refunds to Billing').waitFor();

  const decision = page.getByTestId('routing-decision');
  await page.getByRole('textbox', { name: 'First message' }).fill('Hello, I would like a refund for my order');
  await page.getByRole('button', { name: 'Test routing' }).click();
  await decision.getByText('A rule held').waitFor();
  await decision.getByText('Refunds to Billing').waitFor();
  await decision.getByText('Billing', { exact: true }).waitFor();
  await screenshot(page, name, 'routing-match');

  await page.getByRole('textbox', { name: 'First message' }).fill('Where is my parcel?');
  await page.getByRole('button', { name: 'Test routing' }).click();
  await decision.getByText(/No rule held/).waitFor();
  await decision.getByText('Default', { exact: true }).waitFor();
  await screenshot(page, name, 'routing');
  await checkA11y(page, 'the routing rules');

  // A real customer's refund request lands in Billing: the queue list counts it live.
  await nav.getByRole('link', { name: 'Queues' }).click();
  const billingRow = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Billing' }) });
  await billingRow.getByText('0 waiting').waitFor();
  // lib's `say` names the field webhook_url; the simulator reads webhookUrl: give both.
  await say('twilio', channels.twilio, '+34600111222', 'Hi, I need a refund for my last order', { webhookUrl: channels.twilio.webhookUrl });
  await billingRow.getByText('1 waiting').waitFor();

  // Labels: create, rename, delete.
  await nav.getByRole('link', { name: 'Labels' }).click();
  await page.getByText('No labels yet').waitFor();
  await page.getByRole('button', { name: 'New label' }).click();
  await dialog.getByRole('textbox', { name: 'Name' }).fill('VIP');
  await dialog.getByRole('textbox', { name: 'Colour' }).fill('#e03131');
  await dialog.getByRole('button', { name: 'Create label' }).click();
  const labels = page.getByRole('table', { name: 'Labels' });
  await labels.getByText('VIP', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'New label' }).click();
  await dialog.getByRole('textbox', { name: 'Name' }).fill('vip');
  await dialog.getByRole('button', { name: 'Create label' }).click();
  await dialog.getByRole('alert').getByText('BAD_USER_INPUT').waitFor();
  await screenshot(page, name, 'label-conflict');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Edit VIP' }).click();
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Priority');
  await dialog.getByRole('textbox', { name: 'Description' }).fill('Customers on the premium plan');
  await dialog.getByRole('button', { name: 'Save label' }).click();
  await labels.getByText('Priority', { exact: true }).waitFor();
  await screenshot(page, name, 'labels');
  await checkA11y(page, 'the labels');
  await page.getByRole('button', { name: 'Delete Priority' }).click();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await page.getByText('No labels yet').waitFor();

  // Contact attributes: a CHOICE attribute.
  await nav.getByRole('link', { name: 'Contact attributes' }).click();
  await page.getByText('No contact attributes yet').waitFor();
  await page.getByRole('button', { name: 'New attribute' }).click();
  await dialog.getByRole('textbox', { name: 'Display name' }).fill('Customer tier');
  await pick('Type', 'Choice', dialog);
  const choices = dialog.getByRole('combobox', { name: 'Choices' }).or(dialog.getByRole('textbox', { name: 'Choices' })).first();
  for (const c of ['gold', 'silver']) {
    await choices.fill(c);
    await choices.press('Enter');
  }
  await dialog.getByRole('button', { name: 'Create attribute' }).click();
  const attributes = page.getByRole('table', { name: 'Contact attributes' });
  await attributes.getByText('customer_tier').waitFor();
  await attributes.getByText('silver').waitFor();
  await screenshot(page, name, 'contact-attributes');
  await checkA11y(page, 'the contact attributes');

  // Quick replies: one with variables, for the whole team.
  await nav.getByRole('link', { name: 'Quick replies' }).click();
  await page.getByText('No quick replies yet').waitFor();
  await page.getByRole('button', { name: 'New quick reply' }).click();
  await dialog.getByRole('textbox', { name: 'Shortcut' }).fill('greeting');
  await dialog.getByRole('textbox', { name: 'Text' }).fill('Hi {{contact.name}}, thanks for writing! As a {{contact.customer_tier}} customer you come first. ');
  await dialog.getByRole('button', { name: 'Insert variable' }).click();
  await page.getByRole('menuitem', { name: '{{agent.name}}' }).click();
  await dialog.getByRole('button', { name: 'Create reply' }).click();
  const replies = page.getByRole('table', { name: 'Quick replies' });
  await replies.getByText('/greeting').waitFor();
  await replies.getByText('contact.customer_tier', { exact: true }).waitFor();
  await replies.getByText('agent.name', { exact: true }).waitFor();

  // A second reply with an image, uploaded through POST /media as the form saves.
  await page.getByRole('button', { name: 'New quick reply' }).click();
  await dialog.getByRole('textbox', { name: 'Shortcut' }).fill('menu');
  await dialog.getByRole('textbox', { name: 'Text' }).fill('Here is our menu.');
  await dialog.locator('input[type=file]').setInputFiles({ name: 'menu.png', mimeType: 'image/png', buffer: Buffer.from(PNG, 'base64') });
  await dialog.getByRole('button', { name: 'Create reply' }).click();
  await replies.getByText('/menu').waitFor();
  await replies.getByText('image', { exact: true }).waitFor();
  await screenshot(page, name, 'quick-replies');
  await checkA11y(page, 'the quick replies');

  // One screen in dark mode, and the queue list at tablet width.
  await page.getByRole('button', { name: 'Switch to dark mode' }).click();
  await page.waitForFunction(() => document.documentElement.dataset.mantineColorScheme === 'dark');
  await nav.getByRole('link', { name: 'Routing rules' }).click();
  await page.getByText('2. Refunds to Billing').waitFor();
  await screenshot(page, name, 'routing-dark');
  await page.getByRole('button', { name: 'Switch to light mode' }).click();
  await page.setViewportSize({ width: 800, height: 1000 });
  await page.goto(`${APP_URL}/queues`);
  await page.getByRole('link', { name: 'Billing' }).waitFor();
  await page.getByText(/\d waiting/).nth(2).waitFor();
  await screenshot(page, name, 'queues-tablet');
}
