// The endpoint page's dialogs: rotating the secret (with how long the old one keeps
// signing) and replaying a period.

import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import dayjs from 'dayjs';
import { useState } from 'react';

const OVERLAPS = [
  { value: '0', label: 'Stop it at once' },
  { value: '3600', label: '1 hour' },
  { value: '86400', label: '1 day (default)' },
  { value: '259200', label: '3 days' },
  { value: '604800', label: '7 days (the most)' },
];

export function RotateModal({
  opened,
  busy,
  onClose,
  onRotate,
}: {
  opened: boolean;
  busy: boolean;
  onClose: () => void;
  onRotate: (overlapSeconds: number) => void;
}) {
  const [overlap, setOverlap] = useState('86400');
  return (
    <Modal opened={opened} onClose={onClose} title="Rotate the signing secret">
      <Stack gap="sm">
        <Text size="sm">
          A new secret signs every delivery from now on. Keep the old one signing beside it while your receiver switches over.
        </Text>
        <Select
          label="The old secret keeps signing for"
          data={OVERLAPS}
          value={overlap}
          allowDeselect={false}
          onChange={(v) => setOverlap(v ?? '86400')}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button loading={busy} onClick={() => onRotate(Number(overlap))}>
            Rotate secret
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function ReplayModal({
  opened,
  busy,
  onClose,
  onReplay,
}: {
  opened: boolean;
  busy: boolean;
  onClose: () => void;
  onReplay: (from: string, to: string) => void;
}) {
  const [from, setFrom] = useState<string | null>(() => dayjs().subtract(1, 'hour').format('YYYY-MM-DD HH:mm:ss'));
  const [to, setTo] = useState<string | null>(() => dayjs().add(1, 'minute').format('YYYY-MM-DD HH:mm:ss'));
  const invalid = !from || !to || !dayjs(from).isBefore(dayjs(to));
  return (
    <Modal opened={opened} onClose={onClose} title="Replay a period">
      <Stack gap="sm">
        <Text size="sm">
          Every delivery whose event happened in the period is sent again, with its original payload and event id. Times are
          in your time zone.
        </Text>
        <DateTimePicker label="From" value={from} onChange={setFrom} valueFormat="DD MMM YYYY HH:mm" />
        <DateTimePicker
          label="To"
          value={to}
          onChange={setTo}
          valueFormat="DD MMM YYYY HH:mm"
          error={from && to && invalid ? 'The end must come after the start' : undefined}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button loading={busy} disabled={invalid} onClick={() => from && to && onReplay(dayjs(from).toISOString(), dayjs(to).toISOString())}>
            Replay
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
