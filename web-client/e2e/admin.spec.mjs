// Workspace administration: a member added, promoted and deactivated; an API key shown once,
// working, then revoked (and refused); opt-out keywords saved across a reload; the audit log
// listing each of these; then the platform admin lists tenants and creates one.

export default async function ({ session, newTenant, logIn, screenshot, checkA11y, api, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, name }) {
  const tenant = await newTenant('Admin Co');
  const page = await session.newPage();
  await logIn(page, tenant.email, tenant.password);
  const nav = page.getByRole('navigation', { name: 'Main' });

  // Users: add an agent, make them an admin, deactivate them.
  await nav.getByRole('link', { name: 'Users' }).click();
  await page.getByTestId(`user-${tenant.email}`).waitFor();
  const agentEmail = `alex-${Date.now()}@example.com`;
  await page.getByRole('button', { name: 'Add member' }).click();
  const addDialog = page.getByRole('dialog', { name: 'Add a member' });
  await addDialog.getByRole('textbox', { name: 'E-mail' }).fill(agentEmail);
  await addDialog.getByRole('textbox', { name: 'Name' }).fill('Alex Agent');
  await addDialog.getByLabel('First password').fill(PASSWORD);
  await screenshot(page, name, 'add-member');
  await checkA11y(page, 'the add member form');
  await addDialog.getByRole('button', { name: 'Add member' }).click();
  const row = page.getByTestId(`user-${agentEmail}`);
  await row.getByText('Agent', { exact: true }).waitFor();

  await row.getByRole('button', { name: `Edit ${agentEmail}` }).click();
  const editDialog = page.getByRole('dialog', { name: `Edit ${agentEmail}` });
  await editDialog.getByRole('combobox', { name: 'Role' }).click();
  await page.getByRole('option', { name: /^Admin/ }).click();
  await editDialog.getByRole('button', { name: 'Save' }).click();
  await row.getByText('Admin', { exact: true }).waitFor();

  await row.getByRole('button', { name: `Deactivate ${agentEmail}` }).click();
  await page.getByRole('dialog', { name: `Deactivate ${agentEmail}?` }).getByRole('button', { name: 'Deactivate' }).click();
  await row.getByText('Deactivated').waitFor();
  await screenshot(page, name, 'users');
  await checkA11y(page, 'the users list');

  // API keys: the secret once, it works, then revoked it fails.
  await nav.getByRole('link', { name: 'API keys' }).click();
  await page.getByText('No API keys yet').waitFor();
  await page.getByRole('button', { name: 'Create API key' }).first().click();
  await page.getByRole('dialog', { name: 'Create an API key' }).getByRole('textbox', { name: 'Name' }).fill('crm-connector');
  await page.getByRole('dialog', { name: 'Create an API key' }).getByRole('button', { name: 'Create key' }).click();
  const secretDialog = page.getByRole('dialog', { name: 'API key crm-connector created' });
  await secretDialog.getByText('shown only once').waitFor();
  const secret = (await secretDialog.getByLabel('Secret', { exact: true }).textContent()).trim();
  await screenshot(page, name, 'api-key-secret');
  await checkA11y(page, 'the new API key');
  const me = await api('{ me { role } }', {}, secret);
  if (me.me.role !== 'ADMIN') throw new Error(`the key acts as ${me.me.role}`);
  await secretDialog.getByRole('button', { name: 'I have stored it' }).click();
  const keyRow = page.getByTestId('key-crm-connector');
  await keyRow.getByText('Active').waitFor();
  await keyRow.getByRole('button', { name: 'Revoke crm-connector' }).click();
  await page.getByRole('dialog', { name: 'Revoke crm-connector?' }).getByRole('button', { name: 'Revoke key' }).click();
  await keyRow.getByText('Revoked').waitFor();
  await screenshot(page, name, 'api-keys');
  await checkA11y(page, 'the API key list');
  const refused = await api('{ me { role } }', {}, secret).then(
    () => null,
    (e) => e.message,
  );
  if (!refused || !/UNAUTHENTICATED/.test(refused)) throw new Error(`a revoked key still works (${refused})`);

  // Settings: an opt-out keyword, kept across a reload.
  await nav.getByRole('link', { name: 'Settings' }).click();
  const optOut = page.getByRole('combobox', { name: 'Opt-out keywords' });
  await optOut.fill('NO MORE PLEASE');
  await optOut.press('Enter');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved').waitFor();
  await page.reload();
  await page.getByRole('combobox', { name: 'Opt-out keywords' }).waitFor();
  await page.getByText('NO MORE PLEASE', { exact: true }).waitFor();
  const saved = await api('{ me { tenant { settings { optOutKeywords } } } }', {}, tenant.token);
  if (!saved.me.tenant.settings.optOutKeywords.includes('NO MORE PLEASE')) throw new Error('the keyword was not saved');
  await screenshot(page, name, 'settings');
  await checkA11y(page, 'the settings');

  // The audit log lists each change. 50 more changes through the API push the first ones
  // onto a second page, which "Load more" brings.
  for (let i = 1; i <= 50; i += 1) {
    await api('mutation($i: TenantSettingsInput!) { updateTenantSettings(input: $i) { reopenGraceMinutes } }', { i: { reopenGraceMinutes: 60 + i } }, tenant.token);
  }
  await nav.getByRole('link', { name: 'Audit log' }).click();
  await page.getByText('tenant.settings.update', { exact: true }).first().waitFor();
  if (await page.getByText('tenant.create', { exact: true }).count()) throw new Error('the first page holds more than 50 entries');
  await page.getByRole('button', { name: 'Load more' }).click();
  await page.getByText('tenant.create', { exact: true }).waitFor();
  for (const action of ['user.create', 'user.update', 'user.deactivate', 'api_key.create', 'api_key.revoke', 'tenant.settings.update']) {
    await page.getByText(action, { exact: true }).first().waitFor();
  }
  await screenshot(page, name, 'audit-log');
  await checkA11y(page, 'the audit log');

  // The platform admin: tenants, and a new one.
  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await logIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.getByRole('heading', { name: 'Tenants' }).waitFor();
  await page.getByRole('cell', { name: 'Admin Co', exact: true }).first().waitFor();
  await page.getByRole('button', { name: 'Create tenant' }).first().click();
  const tenantDialog = page.getByRole('dialog', { name: 'Create a tenant' });
  const newName = `Brand New Co ${Date.now()}`;
  await tenantDialog.getByRole('textbox', { name: 'Organisation name' }).fill(newName);
  await tenantDialog.getByRole('textbox', { name: 'Owner name' }).fill('Nora Owner');
  await tenantDialog.getByRole('textbox', { name: 'Owner e-mail' }).fill(`nora-${Date.now()}@example.com`);
  await tenantDialog.getByLabel('Owner password').fill(PASSWORD);
  await checkA11y(page, 'the create tenant form');
  await tenantDialog.getByRole('button', { name: 'Create tenant' }).click();
  await page.getByRole('cell', { name: newName, exact: true }).waitFor();
  await screenshot(page, name, 'tenants');
  await checkA11y(page, 'the tenant list');
}
