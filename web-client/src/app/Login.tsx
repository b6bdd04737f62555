import { Anchor, Button, Center, Collapse, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { ErrorAlert } from '../components/ErrorAlert';
import { sessions } from '../lib/auth';

export function Login() {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [advanced, setAdvanced] = useState(false);
  const form = useForm({
    initialValues: { email: '', password: '', tenantId: '' },
    validate: {
      email: (v) => (/^\S+@\S+$/.test(v) ? null : 'Enter your e-mail address'),
      password: (v) => (v ? null : 'Enter your password'),
    },
  });
  const submit = form.onSubmit(async ({ email, password, tenantId }) => {
    setBusy(true);
    setError(null);
    try {
      await sessions.login(email.trim(), password, tenantId.trim() || undefined);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  });
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={380} component="main">
        <form onSubmit={submit} noValidate>
          <Stack>
            <div>
              <Title order={1} size="h2">
                Switchboard
              </Title>
              <Text c="dimmed" size="sm">
                Sign in to your inbox
              </Text>
            </div>
            <ErrorAlert error={error} title="Sign-in failed" />
            <TextInput label="E-mail" type="email" autoComplete="username" required {...form.getInputProps('email')} />
            <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps('password')} />
            <Anchor component="button" type="button" size="xs" onClick={() => setAdvanced((a) => !a)}>
              {advanced ? 'Hide organisation' : 'Belong to several organisations?'}
            </Anchor>
            <Collapse expanded={advanced}>
              <TextInput
                label="Organisation ID"
                description="Only when your e-mail belongs to several organisations"
                {...form.getInputProps('tenantId')}
              />
            </Collapse>
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
