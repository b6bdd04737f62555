// Signing in and out: a wrong password shows the API's message and code; the session
// survives a reload (its refresh token renews it silently); dark mode sticks; sign-out
// returns to the sign-in page and a reload stays there.

export default async function ({ session, newTenant, logIn, screenshot, checkA11y, APP_URL, name }) {
  const tenant = await newTenant('Session Co');
  const page = await session.newPage();

  await page.goto(APP_URL);
  await screenshot(page, name, 'sign-in');
  await checkA11y(page, 'the sign-in page');
  await page.getByRole('textbox', { name: 'E-mail' }).fill(tenant.email);
  await page.getByRole('textbox', { name: 'Password' }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').getByText('UNAUTHENTICATED').waitFor();

  await logIn(page, tenant.email, tenant.password);
  await page.getByText('Session Co').first().waitFor();

  // A reload keeps the session: the refresh token is traded for new tokens.
  await page.reload();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();

  await page.getByRole('button', { name: 'Switch to dark mode' }).click();
  await page.waitForFunction(() => document.documentElement.dataset.mantineColorScheme === 'dark');
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.mantineColorScheme === 'dark');
  await page.getByRole('button', { name: 'Switch to light mode' }).click();

  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.reload();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}
