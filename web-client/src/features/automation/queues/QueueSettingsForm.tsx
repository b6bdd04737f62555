import { Checkbox, Group, NumberInput, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { CombinedError } from 'urql';
import type { AssignmentMode } from '../../../gql/graphql';
import { FormActions } from '../shared/FormActions';

export type QueueSettings = {
  name: string;
  assignmentMode: AssignmentMode;
  language: string;
  firstResponseMinutes: number | '';
  isDefault: boolean;
};

export const ASSIGNMENT_MODES: { value: AssignmentMode; label: string; description: string }[] = [
  { value: 'MANUAL', label: 'Manual', description: 'Agents pick conversations, or an admin assigns them.' },
  { value: 'ROUND_ROBIN', label: 'Round robin', description: 'The next online member under capacity, in turn.' },
  { value: 'LEAST_BUSY', label: 'Least busy', description: 'The online member with the fewest open conversations.' },
];

export function modeLabel(mode: AssignmentMode): string {
  return ASSIGNMENT_MODES.find((m) => m.value === mode)?.label ?? mode;
}

/** Name, assignment, language, response target and default flag of a queue. */
export function QueueSettingsForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
  fetching,
  error,
  defaultLocked,
}: {
  initial: QueueSettings;
  submitLabel: string;
  onSubmit: (values: QueueSettings) => void;
  onCancel?: () => void;
  fetching: boolean;
  error: CombinedError | null;
  /** The default queue cannot be made not default. */
  defaultLocked?: boolean;
}) {
  const form = useForm<QueueSettings>({
    initialValues: initial,
    validate: {
      name: (v) => (v.trim() ? null : 'Give the queue a name'),
      firstResponseMinutes: (v) => (v === '' || v > 0 ? null : 'A positive number of minutes'),
    },
  });
  const mode = ASSIGNMENT_MODES.find((m) => m.value === form.values.assignmentMode);
  return (
    <form onSubmit={form.onSubmit(onSubmit)}>
      <Stack>
        <TextInput label="Name" placeholder="Sales" withAsterisk data-autofocus {...form.getInputProps('name')} />
        <Select
          label="Assignment"
          description={mode?.description}
          data={ASSIGNMENT_MODES.map(({ value, label }) => ({ value, label }))}
          allowDeselect={false}
          {...form.getInputProps('assignmentMode')}
        />
        <Group grow align="flex-start">
          <TextInput label="Language" placeholder="en, pt_BR…" description="Its conversations' language" {...form.getInputProps('language')} />
          <NumberInput
            label="First response target (minutes)"
            description="Empty: no target"
            min={1}
            allowDecimal={false}
            {...form.getInputProps('firstResponseMinutes')}
          />
        </Group>
        <Checkbox
          label="Default queue: takes conversations no rule or channel places"
          disabled={defaultLocked}
          {...form.getInputProps('isDefault', { type: 'checkbox' })}
        />
        <FormActions error={error} errorTitle="Not saved" onCancel={onCancel} submitLabel={submitLabel} loading={fetching} />
      </Stack>
    </form>
  );
}
