// Channels: a Twilio and a Meta channel made through the UI with the simulator's demo
// credentials, both verified (the provider's answer shows), the webhook URL as the API has it,
// a sandbox channel's join instruction, click-to-chat with its QR code and a stored link,
// the sending settings, Twilio's UNSUPPORTED business profile and Meta's profile saved.

export default async function ({ session, newTenant, logIn, screenshot, checkA11y, api, until, DEMO, APP_URL, name }) {
  const tenant = await newTenant('Channels Co');
  const page = await session.newPage();
  await logIn(page, tenant.email, tenant.password);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels' }).click();
  await page.getByText('No channels yet').waitFor();
  await checkA11y(page, 'the empty channel list');

  // Twilio, through its own form.
  await page.getByRole('button', { name: 'Add channel' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Connect a WhatsApp number' });
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Twilio line');
  await dialog.getByRole('textbox', { name: 'Phone number', exact: true }).fill(DEMO.twilio.number);
  await dialog.getByRole('textbox', { name: 'Account SID' }).fill(DEMO.twilio.accountSid);
  await dialog.getByLabel('Auth token').fill(DEMO.twilio.authToken);
  await screenshot(page, name, 'create-twilio-form');
  await checkA11y(page, 'the create channel form');
  await dialog.getByRole('button', { name: 'Create channel' }).click();
  await page.getByRole('heading', { name: 'Twilio line' }).waitFor();

  // The webhook URL shown is the API's.
  const { channels } = await api('{ channels { name webhookUrl verifyToken } }', {}, tenant.token);
  const twilioApi = channels.find((c) => c.name === 'Twilio line');
  const shownUrl = await page.getByLabel('Webhook URL', { exact: true }).textContent();
  if (shownUrl.trim() !== twilioApi.webhookUrl) throw new Error(`webhook URL shown ${shownUrl} is not the API's ${twilioApi.webhookUrl}`);

  await page.getByRole('button', { name: 'Verify with Twilio' }).click();
  await page.getByTestId('verification').getByText('Display name:').waitFor();
  await page.getByText('Verified', { exact: true }).first().waitFor();
  await screenshot(page, name, 'twilio-verified');

  // Twilio has no business profile through its API: the screen says where it lives.
  await page.getByRole('tab', { name: 'Business profile' }).click();
  await page.getByRole('alert').filter({ hasText: 'Twilio keeps this profile' }).waitFor();

  // Meta, through the other form.
  await page.getByRole('link', { name: 'Channels' }).first().click();
  await page.getByRole('button', { name: 'Add channel' }).first().click();
  await dialog.getByText('Meta Cloud API', { exact: true }).click();
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Meta line');
  await dialog.getByRole('textbox', { name: 'Phone number', exact: true }).fill(DEMO.meta.number);
  await dialog.getByRole('textbox', { name: 'Phone number ID' }).fill(DEMO.meta.phoneNumberId);
  await dialog.getByRole('textbox', { name: 'WhatsApp Business Account ID' }).fill(DEMO.meta.businessAccountId);
  await dialog.getByLabel('Access token').fill(DEMO.meta.accessToken);
  await dialog.getByLabel('App secret').fill(DEMO.meta.appSecret);
  await screenshot(page, name, 'create-meta-form');
  await dialog.getByRole('button', { name: 'Create channel' }).click();
  await page.getByRole('heading', { name: 'Meta line' }).waitFor();
  const metaApi = (await api('{ channels { name verifyToken } }', {}, tenant.token)).channels.find((c) => c.name === 'Meta line');
  const shownToken = await page.getByLabel('Verify token', { exact: true }).textContent();
  if (shownToken.trim() !== metaApi.verifyToken) throw new Error(`verify token shown ${shownToken} is not the API's`);
  await page.getByRole('button', { name: 'Verify with Meta' }).click();
  await page.getByTestId('verification').getByText('Quality rating').waitFor();
  await screenshot(page, name, 'meta-detail');
  await checkA11y(page, "a channel's detail");

  // Meta's business profile: edit and save, then it reads back.
  await page.getByRole('tab', { name: 'Business profile' }).click();
  const about = page.getByRole('textbox', { name: 'About' });
  await about.waitFor();
  await about.fill('Open 9 to 5, answers within the hour');
  await page.getByRole('textbox', { name: 'Contact e-mail' }).fill('help@channels.example');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Business profile saved at the provider').waitFor();
  await page.reload();
  await page.getByRole('tab', { name: 'Business profile' }).click();
  await until('the saved profile', async () => (await page.getByRole('textbox', { name: 'About' }).inputValue()) === 'Open 9 to 5, answers within the hour');
  await screenshot(page, name, 'meta-business-profile');
  await checkA11y(page, 'the business profile');

  // Click-to-chat: the link and its QR code, and a stored link.
  await page.getByRole('tab', { name: 'Click-to-chat' }).click();
  await page.getByRole('textbox', { name: 'Prefilled text' }).fill('Hello, I have a question');
  await page.getByRole('img', { name: /QR code that opens https:\/\/wa\.me\/.*text=Hello/ }).waitFor();
  await page.getByRole('textbox', { name: 'Source' }).fill('Spring flyer');
  await page.getByRole('textbox', { name: 'Tag (optional)' }).fill('spring-flyer');
  await page.getByRole('button', { name: 'Store link' }).click();
  await page.getByRole('cell', { name: 'spring-flyer', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Show the QR code of spring-flyer' }).click();
  await page.getByRole('img', { name: /ref%3Aspring-flyer|ref:spring-flyer/ }).waitFor();
  await screenshot(page, name, 'click-to-chat');
  await checkA11y(page, 'click-to-chat');

  // Sending settings: retries and the rate limit.
  await page.getByRole('tab', { name: 'Sending' }).click();
  await page.getByRole('textbox', { name: 'Send retries' }).fill('5');
  await page.getByRole('textbox', { name: 'Rate limit (messages/s)' }).fill('10');
  await page.getByRole('button', { name: 'Save sending settings' }).click();
  await page.getByText('Sending settings saved').waitFor();
  const saved = (await api('{ channels { name settings { maxRetries messagesPerSecond } } }', {}, tenant.token)).channels.find((c) => c.name === 'Meta line');
  if (saved.settings.maxRetries !== 5 || saved.settings.messagesPerSecond !== 10) throw new Error(`settings not saved: ${JSON.stringify(saved.settings)}`);

  // A Twilio sandbox channel shows how people join.
  await page.getByRole('link', { name: 'Channels' }).first().click();
  await page.getByRole('button', { name: 'Add channel' }).first().click();
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Sandbox');
  // The switch's input is hidden behind its track: turn it on from the keyboard, as a
  // keyboard user would, until it is on (a key pressed while the dialog still opens is lost).
  const sandboxSwitch = dialog.getByRole('switch', { name: /Twilio sandbox/ });
  await until('the sandbox switch to turn on', async () => {
    if (!(await sandboxSwitch.isChecked())) {
      await sandboxSwitch.focus();
      await page.keyboard.press('Space');
    }
    return sandboxSwitch.isChecked();
  });
  await dialog.getByRole('textbox', { name: 'Sandbox join code' }).fill('plenty-mouse');
  await dialog.getByRole('textbox', { name: 'Account SID' }).fill(DEMO.twilio.accountSid);
  await dialog.getByLabel('Auth token').fill(DEMO.twilio.authToken);
  await dialog.getByRole('button', { name: 'Create channel' }).click();
  await page.getByTestId('sandbox-instruction').getByText('join plenty-mouse').waitFor();
  await screenshot(page, name, 'sandbox-detail');

  await page.getByRole('link', { name: 'Channels' }).first().click();
  await page.getByRole('cell', { name: /Sandbox/ }).first().waitFor();
  await page.getByRole('cell', { name: /Meta line/ }).waitFor();
  await screenshot(page, name, 'channel-list');
  await checkA11y(page, 'the channel list');

  // Editing replaces a secret only on request; a wrong token makes verification fail with
  // the provider's code; deleting asks first.
  await page.getByRole('link', { name: 'Sandbox' }).click();
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Sandbox' });
  await edit.getByRole('textbox', { name: 'Name' }).fill('Sandbox trial');
  await edit.getByRole('switch', { name: /Replace credentials/ }).check({ force: true });
  await edit.getByLabel('Auth token').fill('0000000000000000000000000000dead');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('heading', { name: 'Sandbox trial' }).waitFor();
  await page.getByRole('button', { name: 'Verify with Twilio' }).click();
  const refused = page.getByRole('alert').filter({ hasText: 'The provider refused the verification' });
  await refused.getByTestId('error-code').waitFor();
  console.log(`verification refused: ${(await refused.textContent()).trim()}`);
  await screenshot(page, name, 'verify-refused');
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete Sandbox trial?' }).getByRole('button', { name: 'Delete channel' }).click();
  await page.getByRole('heading', { name: 'Channels' }).waitFor();
  await page.getByRole('cell', { name: /Meta line/ }).waitFor();
  await page.getByRole('cell', { name: /Sandbox trial/ }).waitFor({ state: 'detached' });

  // Dark mode and tablet width for one screen.
  const dark = await session.newPage({ width: 820, height: 1000, colorScheme: 'dark' });
  await logIn(dark, tenant.email, tenant.password);
  await dark.goto(`${APP_URL}/channels`);
  await dark.getByRole('cell', { name: /Meta line/ }).waitFor();
  await screenshot(dark, name, 'channel-list-dark-tablet');
  await dark.getByRole('link', { name: 'Meta line' }).click();
  await dark.getByRole('heading', { name: 'Meta line' }).waitFor();
  await dark.getByTestId('verification').waitFor();
  await screenshot(dark, name, 'channel-detail-dark-tablet');
  await checkA11y(dark, "a channel's detail in dark mode");

}
