import { Button, Group, Modal, Stack, Text, TextInput, type MantineColor } from '@mantine/core';
import { Children, isValidElement, useState, type ReactNode } from 'react';
import { ErrorAlert } from './ErrorAlert';

/**
 * The one confirmation before a destructive or lasting action. The API's refusal shows in
 * place (`error`); `typed` asks the user to type a value (a phone number) before confirming.
 * `onConfirm` may answer a promise: the dialog closes itself when it resolves to true.
 */
export function ConfirmDialog({
  opened,
  title,
  children,
  confirmLabel = 'Delete',
  confirmColor = 'red',
  cancelLabel = 'Cancel',
  loading,
  error,
  errorTitle = 'Not done',
  typed,
  onConfirm,
  onClose,
}: {
  opened: boolean;
  title: string;
  children: ReactNode;
  confirmLabel?: string;
  confirmColor?: MantineColor;
  cancelLabel?: string;
  loading?: boolean;
  error?: unknown;
  errorTitle?: string;
  typed?: { value: string; hint?: ReactNode };
  onConfirm: () => void | Promise<boolean | void>;
  onClose: () => void;
}) {
  const [text, setText] = useState('');
  const close = () => {
    setText('');
    onClose();
  };
  const confirm = () => {
    const result = onConfirm();
    if (result instanceof Promise) void result.then((done) => done === true && close());
  };
  return (
    <Modal opened={opened} onClose={close} title={title} centered closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        {/* Plain words get the body text style; markup (a Select, a warning) is laid out as given. */}
        {Children.toArray(children).some(isValidElement) ? children : <Text size="sm">{children}</Text>}
        {typed && (
          <div>
            <TextInput
              label={`Type ${typed.value} to confirm`}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              autoComplete="off"
              data-autofocus
            />
            {typed.hint && (
              <Text size="xs" c="dimmed" mt={4}>
                {typed.hint}
              </Text>
            )}
          </div>
        )}
        {!!error && <ErrorAlert error={error} title={errorTitle} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {cancelLabel}
          </Button>
          <Button color={confirmColor} loading={loading} disabled={typed && text.trim() !== typed.value} onClick={confirm}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
