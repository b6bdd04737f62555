import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { ErrorAlert } from '../../../components/ErrorAlert';

/** A confirmation before a delete, with the API's refusal shown in place. */
export function ConfirmDelete({
  opened,
  title,
  children,
  onCancel,
  onConfirm,
  fetching,
  error,
}: {
  opened: boolean;
  title: string;
  children: ReactNode;
  onCancel: () => void;
  onConfirm: () => void;
  fetching: boolean;
  error: CombinedError | null;
}) {
  return (
    <Modal opened={opened} onClose={onCancel} title={title} centered>
      <Stack>
        {typeof children === 'string' ? <Text size="sm">{children}</Text> : children}
        {error && <ErrorAlert error={error} title="Not deleted" />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button color="red" onClick={onConfirm} loading={fetching}>
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
