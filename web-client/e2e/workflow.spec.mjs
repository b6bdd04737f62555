// An agent's workflow on one conversation, set up through the API (two queues, a second
// agent, CSAT on a queue, a label): assign to me, transfer to the other queue, assign to the
// other agent, snooze, resolve and reopen, label, resolve; the customer's CSAT answer shows;
// an internal note added through the API shows inline; keyboard shortcuts work.

const CUSTOMER = '+34600333444';
const SECOND = '+34600555666';

export default async function ({ session, newTenant, demoChannels, api, logIn, say, until, screenshot, checkA11y, APP_URL, PASSWORD, name }) {
  const tenant = await newTenant('Workflow Co');
  const { meta } = await demoChannels(tenant.token);
  const gql = (query, variables) => api(query, variables, tenant.token);
  await gql('mutation { createQueue(input: { name: "Sales" }) { id } }');
  const support = (await gql('mutation { createQueue(input: { name: "Support" }) { id } }')).createQueue;
  await gql('mutation($q: ID!) { updateQueueCsat(queueId: $q, input: { enabled: true }) { id } }', { q: support.id });
  const bruno = `bruno-${Date.now()}@example.com`;
  await gql('mutation($e: String!, $p: String!) { createUser(input: { email: $e, password: $p, name: "Bruno Agent", role: AGENT }) { id } }', {
    e: bruno,
    p: PASSWORD,
  });
  await gql('mutation { createLabel(input: { name: "VIP", color: "#e8590c" }) { id } }');

  await say('meta', meta, CUSTOMER, 'Hi, I was charged twice for my order', { name: 'Carla Customer' });
  const conversationId = (await gql('{ conversations { nodes { id } } }')).conversations.nodes[0].id;

  const page = await session.newPage();
  await logIn(page, tenant.email, tenant.password);
  await page.goto(`${APP_URL}/inbox/${conversationId}`);
  const view = page.getByRole('region', { name: 'Conversation with Carla Customer' });
  await view.getByText('Hi, I was charged twice for my order').waitFor();
  const status = view.getByTestId('conversation-status');
  const assignee = view.getByTestId('conversation-assignee');
  const queue = view.getByTestId('conversation-queue');

  // Assign to me; the Mine filter then lists it.
  await view.getByRole('button', { name: 'Assign' }).click();
  await page.getByRole('menuitem', { name: 'Assign to me' }).click();
  await assignee.getByText('Assignee: Olivia Owner').waitFor();
  await status.getByText('Assigned').waitFor();
  await page.getByText('Mine', { exact: true }).click();
  await page.getByRole('button', { name: /^Carla Customer/ }).waitFor();
  await page.getByText('All', { exact: true }).click();

  // Transfer to the Support queue: it waits there, unassigned.
  await view.getByRole('button', { name: 'Transfer' }).click();
  await page.getByRole('menuitem', { name: 'Transfer to Support' }).click();
  await queue.getByText('Queue: Support').waitFor();

  // Assign to the other agent.
  await view.getByRole('button', { name: 'Assign' }).click();
  await page.getByRole('menuitem', { name: /Assign to Bruno Agent/ }).click();
  await assignee.getByText('Assignee: Bruno Agent').waitFor();

  // Snooze for an hour.
  await view.getByRole('button', { name: 'Snooze' }).click();
  await page.getByRole('menuitem', { name: 'Snooze 1 hour' }).click();
  await status.getByText(/Snoozed until/).waitFor();

  // Resolve, then reopen.
  await view.getByRole('button', { name: 'Resolve' }).click();
  await status.getByText('Resolved').waitFor();
  await view.getByRole('button', { name: 'Reopen' }).click();
  await status.getByText('Assigned').waitFor();

  // A label.
  await view.getByRole('button', { name: 'Add a label' }).click();
  await page.getByRole('combobox', { name: 'Label to add' }).waitFor();
  await page.getByRole('option', { name: 'VIP' }).click();
  await view.getByRole('button', { name: 'Remove label VIP' }).waitFor();

  // An internal note through the API shows inline, apart from the messages.
  await gql('mutation($c: ID!) { addConversationNote(conversationId: $c, text: "Refund approved by finance") { id } }', { c: conversationId });
  const note = view.getByRole('complementary', { name: /Internal note by Olivia Owner/ });
  await note.getByText('Refund approved by finance').waitFor();

  // Resolve: the queue asks for a rating; the customer's answer shows as CSAT.
  await view.getByRole('button', { name: 'Resolve' }).click();
  await status.getByText('Resolved').waitFor();
  await view.getByText('CSAT asked, no answer yet').waitFor();
  await say('meta', meta, CUSTOMER, '5', { name: 'Carla Customer' });
  await view.getByTestId('csat').getByText('CSAT 5/5').waitFor();
  await screenshot(page, name, 'conversation-resolved-csat');
  await checkA11y(page, 'a resolved conversation with its rating');

  // Keyboard shortcuts over two conversations.
  await say('meta', meta, SECOND, 'Do you ship to Portugal?', { name: 'Diego Customer' });
  const rows = page.getByRole('navigation', { name: 'Conversations' }).getByRole('button');
  await until('two conversations in the list', async () => (await rows.count()) === 2);
  const ids = await rows.evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-conversation-id')));
  await rows.nth(0).click();
  await page.waitForURL(`**/inbox/${ids[0]}`);
  await page.keyboard.press('j');
  await page.waitForURL(`**/inbox/${ids[1]}`);
  await page.keyboard.press('k');
  await page.waitForURL(`**/inbox/${ids[0]}`);
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.getByText('Resolve the open conversation').waitFor();
  await screenshot(page, name, 'shortcuts-help');
  await checkA11y(page, 'the shortcuts dialog');
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'detached' });

  // Open Diego's conversation, resolve it with e, then r focuses the reply box.
  await page.getByRole('button', { name: /^Diego Customer/ }).click();
  const second = page.getByRole('region', { name: 'Conversation with Diego Customer' });
  await second.getByText('Do you ship to Portugal?').waitFor();
  await page.keyboard.press('e');
  await second.getByTestId('conversation-status').getByText('Resolved').waitFor();
  await page.keyboard.press('r');
  await until('the reply box to have focus', () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Reply'));
  await screenshot(page, name, 'inbox-after-shortcuts');

  // The agent sees the conversation assigned to them, with names though not presence.
  const agentPage = await session.newPage();
  await logIn(agentPage, bruno, PASSWORD);
  await agentPage.goto(`${APP_URL}/inbox`);
  await agentPage.getByText('Mine', { exact: true }).click();
  await agentPage.getByRole('button', { name: /^Carla Customer/ }).click();
  const agentView = agentPage.getByRole('region', { name: 'Conversation with Carla Customer' });
  await agentView.getByTestId('conversation-assignee').getByText('Assignee: Bruno Agent').waitFor();
  await agentView.getByText('Refund approved by finance').waitFor();
  await screenshot(agentPage, name, 'agent-conversation');
  await checkA11y(agentPage, "an agent's conversation");
}
