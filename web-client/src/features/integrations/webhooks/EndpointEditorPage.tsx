// Registering or changing an endpoint. A new one's signing secret shows once, then its
// delivery log opens.

import { Anchor, Breadcrumbs, Paper } from '@mantine/core';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { useMutationAction } from '../../../lib/useMutationAction';
import { CreateEndpoint, EndpointById, EventTypes, UpdateEndpoint } from './documents';
import { EndpointForm, type EndpointFormValues } from './EndpointForm';
import { SecretModal } from './SecretModal';

export function EndpointEditorPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const [types] = useQuery({ query: EventTypes });
  const [existing] = useQuery({ query: EndpointById, variables: { id: id ?? '' }, pause: !id });
  const [created, create] = useMutationAction(CreateEndpoint);
  const [updated, update] = useMutationAction(UpdateEndpoint, 'Endpoint saved');
  const [revealed, setRevealed] = useState<{ id: string; secret: string } | null>(null);

  const endpoint = existing.data?.webhookEndpoint;
  const initial = useMemo<EndpointFormValues | null>(() => {
    if (!id) {
      return { url: '', description: '', enabled: true, role: 'ADMIN', events: [] };
    }
    if (!endpoint) return null;
    return {
      url: endpoint.url,
      description: endpoint.description,
      enabled: endpoint.enabled,
      role: endpoint.role,
      events: endpoint.events.map((e) => ({ type: e.event, document: e.document })),
    };
  }, [id, endpoint]);

  const save = async (values: EndpointFormValues) => {
    if (id) {
      if (await update({ id, input: values })) navigate(`/webhooks/${id}`);
      return;
    }
    const done = await create({ input: values });
    if (done) setRevealed({ id: done.createWebhookEndpoint.endpoint.id, secret: done.createWebhookEndpoint.secret });
  };

  const title = id ? 'Edit endpoint' : 'New endpoint';
  return (
    <>
      <Breadcrumbs mb="xs">
        <Anchor component={Link} to="/webhooks" size="sm">
          Outgoing webhooks
        </Anchor>
        <span>{title}</span>
      </Breadcrumbs>
      <PageHeader
        title={title}
        description={id ? endpoint?.url : 'Switchboard posts each chosen event to this URL, signed with the endpoint’s secret.'}
      />
      <Paper withBorder p="lg" radius="md" maw={900}>
        <QueryState
          fetching={types.fetching || existing.fetching}
          error={types.error ?? existing.error}
          hasData={!!types.data && !!initial}
        >
          {initial && types.data && (
            <EndpointForm
              key={id ?? 'new'}
              initial={initial}
              eventTypes={types.data.webhookEventTypes}
              submitting={created.fetching || updated.fetching}
              error={id ? updated.error : created.error}
              submitLabel={id ? 'Save endpoint' : 'Create endpoint'}
              onSubmit={(v) => void save(v)}
              onCancel={() => navigate(id ? `/webhooks/${id}` : '/webhooks')}
            />
          )}
        </QueryState>
      </Paper>
      <SecretModal secret={revealed?.secret ?? null} onClose={() => revealed && navigate(`/webhooks/${revealed.id}`)} />
    </>
  );
}
