import { Center, Loader, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconInbox } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { ErrorAlert } from './ErrorAlert';

/**
 * A request's three other states: loading (only before any data), its error with the API's
 * code, and, when `empty` holds, a message saying what to do next.
 */
export function QueryState({
  fetching,
  error,
  hasData,
  empty,
  emptyTitle,
  emptyHint,
  emptyAction,
  children,
}: {
  fetching: boolean;
  error?: CombinedError;
  hasData: boolean;
  empty?: boolean;
  emptyTitle?: string;
  emptyHint?: ReactNode;
  emptyAction?: ReactNode;
  children: ReactNode;
}) {
  if (error && !hasData) return <ErrorAlert error={error} />;
  if (!hasData) {
    return (
      <Center p="xl" aria-busy="true">
        <Loader size="sm" aria-label="Loading" />
      </Center>
    );
  }
  return (
    <>
      {error && <ErrorAlert error={error} title="The latest refresh failed" />}
      {empty ? (
        <EmptyState title={emptyTitle ?? 'Nothing here yet'} hint={emptyHint} action={emptyAction} />
      ) : (
        children
      )}
      {fetching && <span className="visually-hidden" aria-live="polite">Refreshing</span>}
    </>
  );
}

export function EmptyState({ title, hint, action }: { title: string; hint?: ReactNode; action?: ReactNode }) {
  return (
    <Center p="xl">
      <Stack align="center" gap="xs" maw={420} ta="center">
        <ThemeIcon variant="light" size="xl" radius="xl" aria-hidden>
          <IconInbox size={22} />
        </ThemeIcon>
        <Text fw={600}>{title}</Text>
        {hint && (
          <Text size="sm" c="dimmed">
            {hint}
          </Text>
        )}
        {action}
      </Stack>
    </Center>
  );
}
