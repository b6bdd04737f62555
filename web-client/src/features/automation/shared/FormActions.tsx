import { Button, Group } from '@mantine/core';
import { ErrorAlert } from '../../../components/ErrorAlert';

/** The foot of an automation form: why it was not saved (the API's message), Cancel, submit. */
export function FormActions({
  error,
  errorTitle,
  onCancel,
  submitLabel,
  loading,
}: {
  error: unknown;
  errorTitle: string;
  onCancel?: () => void;
  submitLabel: string;
  loading: boolean;
}) {
  return (
    <>
      {!!error && <ErrorAlert error={error} title={errorTitle} />}
      <Group justify="flex-end">
        {onCancel && (
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        )}
        <Button type="submit" loading={loading}>
          {submitLabel}
        </Button>
      </Group>
    </>
  );
}
