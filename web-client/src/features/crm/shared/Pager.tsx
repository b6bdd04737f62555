import { Button, Group, Text } from '@mantine/core';

/** Previous / next buttons under a paged list. */
export function Pager({
  number,
  hasNext,
  onPrevious,
  onNext,
}: {
  number: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}) {
  if (number === 1 && !hasNext) return null;
  return (
    <Group justify="space-between" p="sm">
      <Text size="sm" c="dimmed">
        Page {number}
      </Text>
      <Group gap="xs">
        <Button variant="default" size="xs" disabled={number === 1} onClick={onPrevious}>
          Previous
        </Button>
        <Button variant="default" size="xs" disabled={!hasNext} onClick={onNext}>
          Next
        </Button>
      </Group>
    </Group>
  );
}
