import { FileButton, Button, Group, Text, Textarea } from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import type { ReactNode } from 'react';

/** A CSV document pasted into a box or read from a picked file. */
export function CsvInput({
  label,
  description,
  value,
  onChange,
  placeholder,
  minRows = 6,
}: {
  label: string;
  description?: ReactNode;
  value: string;
  onChange: (text: string) => void;
  placeholder?: string;
  minRows?: number;
}) {
  const lines = value.trim() ? value.trim().split(/\r?\n/).length : 0;
  return (
    <div>
      <Textarea
        label={label}
        description={description}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        placeholder={placeholder}
        autosize
        minRows={minRows}
        maxRows={14}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
      />
      <Group justify="space-between" mt={6}>
        <FileButton accept=".csv,text/csv,text/plain" onChange={(file) => file && void file.text().then(onChange)}>
          {(props) => (
            <Button {...props} variant="default" size="xs" leftSection={<IconUpload size={14} />}>
              Pick a CSV file
            </Button>
          )}
        </FileButton>
        <Text size="xs" c="dimmed">
          {lines} {lines === 1 ? 'line' : 'lines'}
        </Text>
      </Group>
    </div>
  );
}
