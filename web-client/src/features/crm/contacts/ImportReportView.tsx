import { Badge, Group, List, Paper, SimpleGrid, Table, Text } from '@mantine/core';
import type { ContactImportOutcome, CrmImportReportFragment } from '../../../gql/graphql';

const OUTCOME: Record<ContactImportOutcome, { label: string; color: string }> = {
  CREATE: { label: 'Create', color: 'teal' },
  UPDATE: { label: 'Update', color: 'blue' },
  UNCHANGED: { label: 'Unchanged', color: 'gray' },
  REFUSED: { label: 'Refused', color: 'red' },
};

/** An import's totals and its lines, refused lines first so their reasons are seen. */
export function ImportReportView({ report }: { report: CrmImportReportFragment }) {
  const lines = [...report.lines].sort((a, b) => Number(b.outcome === 'REFUSED') - Number(a.outcome === 'REFUSED') || a.line - b.line);
  const totals = [
    { label: report.applied ? 'Created' : 'Would create', value: report.created, color: 'teal' },
    { label: report.applied ? 'Updated' : 'Would update', value: report.updated, color: 'blue' },
    { label: 'Unchanged', value: report.unchanged, color: 'gray' },
    { label: 'Refused', value: report.refused, color: 'red' },
  ];
  return (
    <>
      <SimpleGrid cols={{ base: 2, sm: 4 }} mb="md">
        {totals.map((t) => (
          <Paper key={t.label} withBorder p="sm" radius="md">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {t.label}
            </Text>
            <Text size="xl" fw={700} c={t.value > 0 ? t.color : undefined}>
              {t.value}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      <Table.ScrollContainer minWidth={560} mah={360}>
        <Table verticalSpacing="xs" striped aria-label="Import lines">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Line</Table.Th>
              <Table.Th>Number</Table.Th>
              <Table.Th>Outcome</Table.Th>
              <Table.Th>Details</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {lines.map((l) => (
              <Table.Tr key={l.line}>
                <Table.Td>{l.line}</Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {l.phoneNumber ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Badge variant="light" color={OUTCOME[l.outcome].color} style={{ overflow: 'visible' }}>
                    {OUTCOME[l.outcome].label}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {l.problems.length > 0 ? (
                    <List size="sm" spacing={2}>
                      {l.problems.map((p, i) => (
                        <List.Item key={i}>
                          <Group gap={6} wrap="nowrap" align="baseline">
                            <Badge size="xs" color="red" variant="outline" style={{ flexShrink: 0, overflow: 'visible' }}>
                              {p.reason}
                            </Badge>
                            <Text size="sm">
                              {p.column ? `${p.column}: ` : ''}
                              {p.message}
                            </Text>
                          </Group>
                        </List.Item>
                      ))}
                    </List>
                  ) : (
                    <Text size="sm" c="dimmed">
                      {l.fields.length ? l.fields.join(', ') : 'No change'}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
