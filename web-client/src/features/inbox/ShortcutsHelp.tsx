// The keyboard shortcuts, listed in a dialog opened with `?`.

import { Kbd, Modal, Table } from '@mantine/core';

export const SHORTCUTS: { keys: string; does: string }[] = [
  { keys: 'j', does: 'Next conversation' },
  { keys: 'k', does: 'Previous conversation' },
  { keys: 'r', does: 'Reply: focus the reply box' },
  { keys: 'e', does: 'Resolve the open conversation' },
  { keys: '?', does: 'Show this help' },
];

export function ShortcutsHelp({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" closeButtonProps={{ "aria-label": "Close" }}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Key</Table.Th>
            <Table.Th>What it does</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {SHORTCUTS.map((s) => (
            <Table.Tr key={s.keys}>
              <Table.Td>
                <Kbd>{s.keys}</Kbd>
              </Table.Td>
              <Table.Td>{s.does}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
