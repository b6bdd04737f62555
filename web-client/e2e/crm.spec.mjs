// Contacts, campaigns and the dashboard: a CSV import previewed line by line (a bad line shows
// its reason), a contact found, an attribute edited and the contact opted out; a customer's
// message appears in its history live; a campaign from an approved template to 20 recipients
// skips the opted-out one in its preflight and its progress bar reaches the end live; the
// dashboard counts the messages in and out.

const BRUNO = '+34611000002';

const CONTACTS_CSV = [
  'phone,name,language,opted_in,opted_in_at,opt_in_source,tier',
  '+34611000001,Ana García,es,true,2026-01-10,web form,gold',
  `${BRUNO},Bruno Silva,pt-BR,true,2026-01-11,web form,silver`,
  '+34611000003,Chen Wei,zh-Hant,true,2026-01-12,signed paper,',
  '+34611000004,Dana Levi,en,true,2026-01-13,CRM,gold',
  'not-a-number,Broken Line,en,true,2026-01-14,web form,',
].join('\n');

const RECIPIENTS_CSV = [
  'phone,1',
  ...Array.from({ length: 19 }, (_, i) => `+346220000${String(i + 1).padStart(2, '0')},Friend ${i + 1}`),
  `${BRUNO},Bruno`,
].join('\n');

export default async function ({ session, newTenant, demoChannels, api, sim, say, until, logIn, screenshot, checkA11y, APP_URL, name }) {
  const tenant = await newTenant('CRM Co');
  const { meta } = await demoChannels(tenant.token);

  // A marketing template on the Meta channel, approved by the simulator's reviewer.
  await api(
    'mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }',
    {
      i: {
        channelId: meta.id,
        name: 'spring_sale',
        language: 'en',
        category: 'MARKETING',
        body: 'Hi {{1}}, our spring sale starts today!',
        examples: ['Ana'],
      },
    },
    tenant.token,
  );
  await sim('/templates/review', { name: 'spring_sale', provider: 'meta', verdict: 'approve', webhookUrl: meta.webhookUrl });
  await until('the template to be approved', async () => {
    const d = await api('query($c: ID!) { templates(channelId: $c) { name status } }', { c: meta.id }, tenant.token);
    return d.templates.some((t) => t.name === 'spring_sale' && t.status === 'APPROVED');
  });
  // One message a second: the campaign takes about twenty seconds, long enough to watch.
  await api(
    'mutation($id: ID!, $i: UpdateChannelInput!) { updateChannel(id: $id, input: $i) { id } }',
    { id: meta.id, i: { settings: { messagesPerSecond: 1 } } },
    tenant.token,
  );
  await api(
    'mutation($i: CreateContactAttributeInput!) { createContactAttribute(input: $i) { id } }',
    { i: { key: 'tier', displayName: 'Tier', type: 'CHOICE', choices: ['gold', 'silver', 'bronze'] } },
    tenant.token,
  );

  const page = await session.newPage();
  await logIn(page, tenant.email, tenant.password);
  const nav = (label) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label });

  // Contacts: none yet, then an import previewed line by line.
  await nav('Contacts').click();
  await page.getByText('No contacts yet').waitFor();
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const modal = page.getByRole('dialog', { name: 'Import contacts' });
  await modal.getByRole('textbox', { name: 'Contacts CSV' }).fill(CONTACTS_CSV);
  await modal.getByRole('button', { name: 'Preview import' }).click();
  const lines = modal.getByRole('table', { name: 'Import lines' });
  await lines.getByText('INVALID_PHONE').waitFor();
  await lines.getByRole('row', { name: /^6 / }).getByText('Refused').waitFor();
  await screenshot(page, name, 'import-preview');
  await checkA11y(page, 'the import preview');
  await modal.getByRole('button', { name: 'Import 4 contacts' }).click();
  await modal.getByText('Imported: 4 created, 0 updated.').waitFor();
  await modal.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('link', { name: 'Dana Levi' }).waitFor();
  await screenshot(page, name, 'contacts');
  await checkA11y(page, 'the contacts list');

  // Search, then the contact's page: an attribute edited, the contact opted out.
  await page.getByRole('textbox', { name: 'Search contacts' }).fill('Bruno');
  await page.getByRole('link', { name: 'Ana García' }).waitFor({ state: 'detached' });
  await page.getByRole('link', { name: 'Bruno Silva' }).click();
  await page.getByRole('heading', { name: 'Bruno Silva' }).waitFor();
  await page.getByRole('combobox', { name: /^Tier/ }).click();
  await page.getByRole('option', { name: 'bronze' }).click();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Contact saved').waitFor();
  await until('the attribute to be saved', async () => {
    const d = await api('query($s: String) { contacts(search: $s) { nodes { attributes { key value } } } }', { s: 'Bruno' }, tenant.token);
    return d.contacts.nodes[0]?.attributes.some((a) => a.key === 'tier' && a.value === 'bronze');
  });
  await page.getByRole('switch', { name: 'Receives messages' }).click();
  await page.getByText('Opted out: nothing more is sent to this contact').waitFor();
  await page.getByRole('switch', { name: 'Receives messages', checked: false }).waitFor();

  // A customer message shows in the history without a reload.
  await say('meta', meta, BRUNO, 'Hola, is the spring sale on?', { name: 'Bruno' });
  const item = page.getByRole('button', { name: /Received .*Hola, is the spring sale on\?/ });
  await item.click();
  await page.getByText('Status history').first().waitFor();
  await screenshot(page, name, 'contact');
  await checkA11y(page, 'a contact');

  // At tablet width the contact page stacks its cards.
  await page.setViewportSize({ width: 800, height: 1000 });
  await screenshot(page, name, 'contact-tablet');
  await page.setViewportSize({ width: 1366, height: 860 });

  // A campaign: the form, its preflight (the opted-out contact skipped), then live progress.
  await nav('Campaigns').click();
  await page.getByText('No campaigns yet').waitFor();
  await page.getByRole('link', { name: 'New campaign' }).first().click();
  await page.getByRole('textbox', { name: /^Campaign name/ }).fill('Spring sale');
  await page.getByRole('combobox', { name: /^Channel/ }).click();
  await page.getByRole('option', { name: /^Meta/ }).click();
  await page.getByRole('combobox', { name: /^Approved template/ }).click();
  await page.getByRole('option', { name: 'spring_sale (en)' }).click();
  await page.getByRole('textbox', { name: /^Recipients CSV/ }).fill(RECIPIENTS_CSV);
  await page.getByText('21 lines').waitFor();
  await screenshot(page, name, 'campaign-form');
  await checkA11y(page, 'the campaign form');
  await page.getByRole('button', { name: 'Create and check' }).click();
  await page.getByRole('group', { name: 'Will send' }).getByText('19').waitFor();
  await page.getByRole('group', { name: 'Opted out' }).getByText('1').waitFor();
  await screenshot(page, name, 'campaign-preflight');
  await checkA11y(page, 'the campaign preflight');

  await page.getByRole('button', { name: 'Start campaign' }).click();
  await page.getByRole('heading', { name: 'Spring sale' }).waitFor();
  await page.getByText('RUNNING').first().waitFor();
  const bar = page.getByRole('group', { name: /^Spring sale: \d+% done/ });
  const seen = new Set([await bar.getAttribute('aria-label')]);
  await screenshot(page, name, 'campaign-running');
  await checkA11y(page, 'a running campaign');
  // The bar's label moves with the stream alone: no reload, no refetch by hand.
  await until('the campaign to finish live', async () => {
    const label = await bar.getAttribute('aria-label');
    seen.add(label);
    return label === 'Spring sale: 100% done' && (await page.getByText('COMPLETED').first().isVisible());
  });
  console.log(`progress seen: ${[...seen].join(' → ')}`);
  if (seen.size < 3) throw new Error(`the progress bar did not move live: ${[...seen].join(', ')}`);
  await until('every sendable recipient sent', async () => Number(await page.getByTestId('count-sent').innerText()) === 19);
  await page.getByTestId('count-skipped').getByText('1').waitFor();
  await screenshot(page, name, 'campaign-finished');
  await checkA11y(page, 'a finished campaign');
  await nav('Campaigns').click();
  await page.getByRole('link', { name: 'Spring sale' }).waitFor();
  await screenshot(page, name, 'campaigns');

  // Pause, resume and cancel a second campaign, made through the API, while it sends.
  const templateId = (await api('query($c: ID!) { templates(channelId: $c) { id name } }', { c: meta.id }, tenant.token)).templates.find(
    (t) => t.name === 'spring_sale',
  ).id;
  const second = await api(
    'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }',
    {
      i: {
        name: 'Autumn sale',
        channelId: meta.id,
        templateId,
        recipients: Array.from({ length: 100 }, (_, i) => ({ to: `+34623000${String(i + 1).padStart(3, '0')}`, variables: [{ key: '1', value: `Pal ${i + 1}` }] })),
      },
    },
    tenant.token,
  );
  await page.goto(`${APP_URL}/campaigns/${second.createCampaign.id}`);
  await page.getByRole('heading', { name: 'Autumn sale' }).waitFor();
  // Toasts sit over the header's buttons (and pause while hovered): dismiss them first.
  const act = async (label) => {
    for (const dismiss of await page.getByRole('button', { name: 'Dismiss' }).all()) await dismiss.click().catch(() => {});
    await page.getByRole('button', { name: label, exact: true }).click();
  };
  await act('Start');
  await page.getByText('RUNNING').first().waitFor();
  await act('Pause');
  await page.getByText('PAUSED', { exact: true }).first().waitFor();
  await act('Resume');
  await page.getByText('RUNNING').first().waitFor();
  await act('Pause');
  await page.getByText('PAUSED', { exact: true }).first().waitFor();
  await act('Cancel');
  await page.getByText('CANCELLED', { exact: true }).first().waitFor();
  await page.getByRole('button', { name: 'Pause' }).waitFor({ state: 'detached' });

  // A recipient's history shows the template with its status timeline and provider calls.
  await nav('Contacts').click();
  await page.getByRole('textbox', { name: 'Search contacts' }).fill('34622000001');
  await page.getByRole('link', { name: '+34622000001' }).click();
  await page.getByRole('button', { name: /Sent .*Hi Friend 1, our spring sale starts today!/ }).click();
  await page.getByRole('table', { name: 'Delivery attempts' }).getByText('SENT').waitFor();
  await screenshot(page, name, 'contact-attempts');

  // Erasing takes the typed number, then the contact is gone.
  await nav('Contacts').click();
  await page.getByRole('link', { name: 'Chen Wei' }).click();
  await page.getByRole('button', { name: 'Erase' }).click();
  const erase = page.getByRole('dialog', { name: 'Erase this contact' });
  await erase.getByRole('textbox', { name: 'Type +34611000003 to confirm' }).fill('+34611000003');
  await erase.getByRole('button', { name: 'Erase for good' }).click();
  await page.getByRole('heading', { name: 'Contacts' }).waitFor();
  await page.getByRole('link', { name: 'Dana Levi' }).waitFor();
  await page.getByRole('link', { name: 'Chen Wei' }).waitFor({ state: 'detached' });

  // The dashboard counts the customer's message and the campaign's.
  await nav('Dashboard').click();
  const stat = (label) => page.getByRole('group', { name: label }).getByTestId('stat-value');
  await until('the dashboard to count messages in and out', async () => {
    const received = Number(await stat('Received').innerText());
    const sent = Number(await stat('Sent').innerText());
    return received >= 1 && sent >= 19;
  });
  // Live: a new customer message raises the count without a reload.
  const before = Number(await stat('Received').innerText());
  await say('meta', meta, '+34611000001', 'Thanks for the offer!', { name: 'Ana' });
  await until('the dashboard to count a new message live', async () => Number(await stat('Received').innerText()) === before + 1);
  await page.getByRole('table', { name: 'Queue figures' }).waitFor();
  await screenshot(page, name, 'dashboard');
  await checkA11y(page, 'the dashboard');

  await page.getByRole('button', { name: 'Switch to dark mode' }).click();
  await page.waitForFunction(() => document.documentElement.dataset.mantineColorScheme === 'dark');
  await screenshot(page, name, 'dashboard-dark');
  await page.getByRole('button', { name: 'Switch to light mode' }).click();

  // The export downloads a CSV of the contacts, made in the page.
  await nav('Contacts').click();
  await page.getByRole('button', { name: 'Export' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'As CSV' }).click()]);
  if (!download.suggestedFilename().endsWith('.csv')) throw new Error(`unexpected export name ${download.suggestedFilename()}`);
}
