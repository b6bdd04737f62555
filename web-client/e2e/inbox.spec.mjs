// The agent inbox: an empty inbox says what to do; a customer's message appears live with an
// unread badge; a reply's ticks go sent → delivered → read; a scripted failure shows the
// provider's reason and Retry sends it; an image and a location show their previews; a cut
// WebSocket comes back and the message said meanwhile appears.

export default async function ({ session, newTenant, demoChannels, api, logIn, say, sim, until, screenshot, checkA11y, APP_URL, name }) {
  const tenant = await newTenant('Inbox Co');
  const { meta } = await demoChannels(tenant.token);
  const customer = '+34600111222';
  const page = await session.newPage();

  // Every socket goes through this proxy, so the spec can cut it and refuse reconnects.
  let refusing = false;
  const sockets = [];
  await page.routeWebSocket(/graphql\/ws/, (ws) => {
    if (refusing) {
      ws.close({ code: 1013, reason: 'try again later' });
      return;
    }
    ws.connectToServer();
    sockets.push(ws);
  });

  await logIn(page, tenant.email, tenant.password);
  await page.goto(`${APP_URL}/inbox`);
  await page.getByText('No conversations yet').waitFor();
  await page.getByText('When a customer writes to one of your WhatsApp numbers').waitFor();
  await screenshot(page, name, 'inbox-empty');
  await checkA11y(page, 'the empty inbox');

  // A customer writes: the conversation appears without a reload, unread.
  await say('meta', meta, customer, 'Hello, my order #1042 is late', { name: 'Ana Customer' });
  const row = page.getByRole('button', { name: /^Ana Customer, 1 unread/ });
  await row.waitFor();
  await row.getByTestId('unread-badge').waitFor();
  await screenshot(page, name, 'inbox-new-message');
  await checkA11y(page, 'the inbox with a conversation');

  // Opening it marks it read.
  await row.click();
  const timeline = page.getByRole('log', { name: 'Conversation timeline' });
  await timeline.getByText('Hello, my order #1042 is late').waitFor();
  await page.getByRole('button', { name: /^Ana Customer: Hello/ }).waitFor();
  const view = page.getByRole('region', { name: 'Conversation with Ana Customer' });
  await view.getByTestId('window-state').getByText(/Window open · 23h/).waitFor();

  // A reply through the composer: sent, then delivered, then read once the customer reads it.
  await page.getByRole('textbox', { name: 'Reply' }).fill('Sorry about that! Let me check.');
  await page.getByRole('textbox', { name: 'Reply' }).press('Enter');
  const reply = timeline.locator('article', { hasText: 'Sorry about that! Let me check.' });
  await reply.getByRole('img', { name: /^(Sent|Delivered)$/ }).waitFor();
  await reply.getByRole('img', { name: 'Delivered' }).waitFor();
  await until('the customer reading the reply', async () => (await sim('/read', { provider: 'meta', number: customer })).read > 0);
  await reply.getByRole('img', { name: 'Read' }).waitFor();

  // The customer reacts to the reply: the emoji sits on that bubble.
  const sent = await api(
    'query($c: ID!) { messages(filter: { conversationId: $c, direction: OUTBOUND }) { nodes { providerMessageId text } } }',
    { c: page.url().split('/').pop() },
    tenant.token,
  );
  const wamid = sent.messages.nodes.find((m) => m.text === 'Sorry about that! Let me check.').providerMessageId;
  await say('meta', meta, customer, '', { kind: 'reaction', messageId: wamid, emoji: '👍', name: 'Ana Customer' });
  await reply.locator('..').getByLabel('Reactions: 👍').waitFor();

  // A failure scripted at the provider: the bubble shows its reason; Retry sends it again.
  await sim('/failure', { provider: 'meta', number: customer, failure: 'unreachable' });
  await page.getByRole('textbox', { name: 'Reply' }).fill('Your parcel is on its way.');
  await page.getByRole('textbox', { name: 'Reply' }).press('Enter');
  const failed = timeline.locator('article', { hasText: 'Your parcel is on its way.' });
  await failed.getByRole('img', { name: 'Failed' }).waitFor();
  await failed.getByText('Not delivered').waitFor();
  await failed.getByText('131026').waitFor();
  await screenshot(page, name, 'conversation-failed-send');
  await sim('/failure', { provider: 'meta', number: customer, failure: null });
  await failed.getByRole('button', { name: 'Retry' }).click();
  await failed.getByRole('img', { name: 'Delivered' }).waitFor();
  await failed.getByText('Not delivered').waitFor({ state: 'detached' });

  // Media: an image shows from a blob: URL; a location links to OpenStreetMap.
  await say('meta', meta, customer, 'Photo of the box', { kind: 'image', name: 'Ana Customer' });
  const image = timeline.getByRole('img', { name: /Image from the conversation/ });
  await image.waitFor();
  await until('the image to load', () => image.evaluate((img) => img.src.startsWith('blob:') && img.complete && img.naturalWidth > 0));
  await say('meta', meta, customer, '', { kind: 'location', latitude: 40.4168, longitude: -3.7038, name: 'Ana Customer' });
  const map = timeline.getByRole('link', { name: /on OpenStreetMap/ });
  await map.waitFor();
  const href = await map.getAttribute('href');
  if (!href.startsWith('https://www.openstreetmap.org/') || !href.includes('mlat=40.4168')) throw new Error(`bad map link ${href}`);
  await screenshot(page, name, 'conversation');
  await checkA11y(page, 'a conversation');

  // Dark mode.
  await page.getByRole('button', { name: 'Switch to dark mode' }).click();
  await page.waitForFunction(() => document.documentElement.dataset.mantineColorScheme === 'dark');
  await screenshot(page, name, 'conversation-dark');
  await checkA11y(page, 'a conversation in dark mode');
  await page.getByRole('button', { name: 'Switch to light mode' }).click();

  // Cut the socket and refuse reconnects: the shell says so; a message said meanwhile
  // appears once the socket is back.
  refusing = true;
  for (const ws of sockets.splice(0)) await ws.close({ code: 1012, reason: 'cut by the test' }).catch(() => {});
  await page.getByTestId('reconnecting').waitFor();
  await say('meta', meta, customer, 'Are you still there?', { name: 'Ana Customer' });
  await screenshot(page, name, 'reconnecting');
  refusing = false;
  await page.getByTestId('reconnecting').waitFor({ state: 'detached' });
  await timeline.getByText('Are you still there?').waitFor();
  await page.getByRole('button', { name: /^Ana Customer: Are you still there\?/ }).waitFor();

  // Tablet width: one column at a time.
  await page.setViewportSize({ width: 800, height: 900 });
  await page.getByRole('button', { name: 'Back to the conversation list' }).click();
  await page.getByRole('navigation', { name: 'Conversations' }).waitFor();
  await screenshot(page, name, 'inbox-tablet');
  await checkA11y(page, 'the inbox at tablet width');
  await page.getByRole('button', { name: /^Ana Customer/ }).click();
  await timeline.getByText('Are you still there?').waitFor();
  await screenshot(page, name, 'conversation-tablet');
  await checkA11y(page, 'a conversation at tablet width');
}
