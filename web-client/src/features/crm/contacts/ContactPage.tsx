import { Anchor, Badge, Breadcrumbs, CopyButton, Grid, Group, Stack, Text, Tooltip, ActionIcon } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import { useEffect } from 'react';
import { useQuery, useSubscription } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import type { CrmContactConsentEventsSubscription } from '../../../gql/graphql';
import { hasRole, useSession } from '../../../lib/session';
import { formatDateTime } from '../../../lib/time';
import { ContactConversationsCard } from './ContactConversationsCard';
import { ContactProfileCard } from './ContactProfileCard';
import { ContactConsentEvents, ContactDetail } from './documents';
import { EraseContactButton } from './EraseContactButton';
import { MessageHistory, useContactActivity } from './MessageHistory';
import { OptInCard } from './OptInCard';

export function ContactPage() {
  const { id = '' } = useParams();
  const session = useSession();
  const [result, reexecute] = useQuery({ query: ContactDetail, variables: { id } });
  const activity = useContactActivity(id);
  // A STOP keyword (or another member) changes the consent while the page is open.
  const [consent] = useSubscription<CrmContactConsentEventsSubscription, number>({ query: ContactConsentEvents }, (count = 0, data) =>
    data.contactEvents.contact.id === id ? count + 1 : count,
  );
  const consentChanges = consent.data ?? 0;
  useEffect(() => {
    if (consentChanges > 0) reexecute({ requestPolicy: 'network-only' });
  }, [consentChanges, reexecute]);
  const contact = result.data?.contact;
  return (
    <>
      <Breadcrumbs mb="sm">
        <Anchor component={Link} to="/contacts" size="sm">
          Contacts
        </Anchor>
        <Text size="sm">{contact ? contact.name || contact.profileName || contact.phoneNumber : '…'}</Text>
      </Breadcrumbs>
      <QueryState
        fetching={result.fetching}
        error={result.error}
        hasData={!!result.data}
        empty={!contact}
        emptyTitle="No such contact"
        emptyHint="It may have been erased. Go back to the contacts list."
      >
        {contact && result.data && (
          <>
            <PageHeader
              title={contact.name || contact.profileName || contact.phoneNumber}
              description={
                <Group gap="xs" component="span">
                  <Text span ff="monospace" size="sm">
                    {contact.phoneNumber}
                  </Text>
                  <CopyButton value={contact.phoneNumber}>
                    {({ copied, copy }) => (
                      <Tooltip label={copied ? 'Copied' : 'Copy the number'}>
                        <ActionIcon variant="subtle" size="sm" onClick={copy} aria-label="Copy the number">
                          {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
                        </ActionIcon>
                      </Tooltip>
                    )}
                  </CopyButton>
                  {contact.language && <Badge variant="outline">{contact.language}</Badge>}
                  {contact.profileName && <Text span size="sm">WhatsApp name: {contact.profileName}</Text>}
                  <Text span size="sm">
                    · since {formatDateTime(contact.createdAt)}
                  </Text>
                </Group>
              }
              actions={hasRole(session, 'ADMIN') && <EraseContactButton contactId={contact.id} phoneNumber={contact.phoneNumber} />}
            />
            <Grid>
              <Grid.Col span={{ base: 12, md: 5 }}>
                <Stack>
                  <ContactProfileCard
                    key={contact.attributes.map((a) => a.key + a.value).join() + contact.name + contact.language}
                    contact={contact}
                    attributes={result.data.contactAttributes}
                  />
                  <OptInCard contact={contact} />
                  <ContactConversationsCard contactId={contact.id} version={activity} />
                </Stack>
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 7 }}>
                <MessageHistory contactId={contact.id} version={activity} />
              </Grid.Col>
            </Grid>
          </>
        )}
      </QueryState>
    </>
  );
}
