import { Anchor, Badge, Button, Menu, Paper, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconChevronDown, IconDownload, IconFileImport, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { useClient, useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import type { DocumentFormat } from '../../../gql/graphql';
import { notifyError, notifySuccess } from '../../../lib/notify';
import { hasRole, useSession } from '../../../lib/session';
import { formatShort } from '../../../lib/time';
import { downloadText } from '../shared/download';
import { Pager } from '../shared/Pager';
import { useCursorPages } from '../shared/useCursorPages';
import { ContactsList, ExportContacts } from './documents';
import { ImportContactsModal } from './ImportContactsModal';

const PAGE = 25;

export function ContactsPage() {
  const session = useSession();
  const isAdmin = hasRole(session, 'ADMIN');
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const pages = useCursorPages();
  const [importing, setImporting] = useState(false);
  const [result, reexecute] = useQuery({
    query: ContactsList,
    variables: { search: debounced || null, first: PAGE, after: pages.after },
  });
  const client = useClient();
  const [exporting, setExporting] = useState(false);

  async function exportAs(format: DocumentFormat) {
    setExporting(true);
    const r = await client.query(ExportContacts, { format, search: debounced || null }, { requestPolicy: 'network-only' }).toPromise();
    setExporting(false);
    if (r.error || !r.data) return notifyError(r.error, 'The export failed');
    const doc = r.data.exportContacts;
    downloadText(doc.filename, doc.contentType, doc.content);
    notifySuccess(`Exported ${doc.rows} ${doc.rows === 1 ? 'contact' : 'contacts'} to ${doc.filename}`);
  }

  const page = result.data?.contacts;
  const contacts = page?.nodes ?? [];
  return (
    <>
      <PageHeader
        title="Contacts"
        description="Everyone who wrote to you or was imported, with their consent and history."
        actions={
          <>
            <Menu position="bottom-end">
              <Menu.Target>
                <Button variant="default" leftSection={<IconDownload size={16} />} rightSection={<IconChevronDown size={14} />} loading={exporting}>
                  Export
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => void exportAs('CSV')}>As CSV</Menu.Item>
                <Menu.Item onClick={() => void exportAs('JSON')}>As JSON</Menu.Item>
              </Menu.Dropdown>
            </Menu>
            {isAdmin && (
              <Button leftSection={<IconFileImport size={16} />} onClick={() => setImporting(true)}>
                Import CSV
              </Button>
            )}
          </>
        }
      />
      <TextInput
        label="Search contacts"
        placeholder="Name or number"
        leftSection={<IconSearch size={16} />}
        value={search}
        onChange={(e) => {
          setSearch(e.currentTarget.value);
          pages.reset();
        }}
        mb="md"
        maw={420}
      />
      <Paper withBorder radius="md">
        <QueryState
          fetching={result.fetching}
          error={result.error}
          hasData={!!page}
          empty={contacts.length === 0}
          emptyTitle={debounced ? `No contact matches “${debounced}”` : 'No contacts yet'}
          emptyHint={
            debounced
              ? 'Try part of the name or the number’s last digits.'
              : 'Contacts appear when customers write to a channel; admins can also import a CSV.'
          }
        >
          <Table.ScrollContainer minWidth={640}>
            <Table highlightOnHover verticalSpacing="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Number</Table.Th>
                  <Table.Th>Language</Table.Th>
                  <Table.Th>Consent</Table.Th>
                  <Table.Th>Last wrote</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {contacts.map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/contacts/${c.id}`} fw={500}>
                        {c.name || c.profileName || c.phoneNumber}
                      </Anchor>
                      {c.profileName && c.name && c.profileName !== c.name && (
                        <Text size="xs" c="dimmed">
                          WhatsApp: {c.profileName}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {c.phoneNumber}
                      </Text>
                    </Table.Td>
                    <Table.Td>{c.language ?? <Text size="sm" c="dimmed">—</Text>}</Table.Td>
                    <Table.Td>
                      {c.optedIn ? (
                        <Badge variant="light" color="teal">
                          Opted in
                        </Badge>
                      ) : (
                        <Badge variant="light" color="red">
                          Opted out
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{c.lastInboundAt ? formatShort(c.lastInboundAt) : '—'}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager number={pages.number} hasNext={!!page?.pageInfo.hasNextPage} onPrevious={pages.previous} onNext={() => pages.next(page?.pageInfo.endCursor)} />
        </QueryState>
      </Paper>
      <ImportContactsModal
        opened={importing}
        onClose={() => setImporting(false)}
        onImported={() => reexecute({ requestPolicy: 'network-only' })}
      />
    </>
  );
}
