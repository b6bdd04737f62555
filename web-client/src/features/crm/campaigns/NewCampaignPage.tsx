import { Alert, Anchor, Breadcrumbs, Button, Code, Group, Paper, Select, Stack, Stepper, Text, TextInput } from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { IconInfoCircle } from '@tabler/icons-react';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import type { CrmCampaignFragment } from '../../../gql/graphql';
import { useMutationAction } from '../../../lib/useMutationAction';
import { CsvInput } from '../shared/CsvInput';
import { CampaignFormOptions, CreateCampaign, StartCampaign } from './documents';
import { PreflightCard } from './PreflightCard';

/** The CSV header a template needs: `phone` and one column per variable. */
export function recipientsHeader(variables: string[]): string {
  return ['phone', ...variables].join(',');
}

export function NewCampaignPage() {
  const navigate = useNavigate();
  const [options] = useQuery({ query: CampaignFormOptions, requestPolicy: 'cache-and-network' });
  const [name, setName] = useState('');
  const [channelId, setChannelId] = useState<string | null>(null);
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [csv, setCsv] = useState('');
  const [startAt, setStartAt] = useState<string | null>(null);
  const [draft, setDraft] = useState<CrmCampaignFragment | null>(null);
  const [createState, create] = useMutationAction(CreateCampaign, 'Draft saved: check the preflight, then start it');
  const [startState, start] = useMutationAction(StartCampaign, (d) =>
    d.startCampaign.state === 'SCHEDULED' ? 'Campaign scheduled' : 'Campaign started',
  );

  const channels = options.data?.channels ?? [];
  const approved = (options.data?.templates ?? []).filter((t) => t.channelId === channelId && t.status === 'APPROVED');
  const template = approved.find((t) => t.id === templateId);
  const canCreate = !!name.trim() && !!channelId && !!templateId && !!csv.trim();

  async function submit() {
    if (!channelId || !templateId) return;
    const data = await create({
      input: {
        name: name.trim(),
        channelId,
        templateId,
        recipientsCsv: csv,
        startAt: startAt ? dayjs(startAt).toISOString() : null,
      },
    });
    if (data) setDraft(data.createCampaign);
  }

  return (
    <>
      <Breadcrumbs mb="sm">
        <Anchor component={Link} to="/campaigns" size="sm">
          Campaigns
        </Anchor>
        <Text size="sm">New campaign</Text>
      </Breadcrumbs>
      <PageHeader title="New campaign" description="An approved template to a list of recipients, each with their own variables." />
      <Stepper active={draft ? 1 : 0} size="sm" mb="lg" maw={720}>
        <Stepper.Step label="Template and recipients" />
        <Stepper.Step label="Preflight" />
        <Stepper.Step label="Sending" />
      </Stepper>
      <QueryState fetching={options.fetching} error={options.error} hasData={!!options.data}>
        {!draft ? (
          <Paper withBorder p="md" radius="md" maw={820}>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void submit();
              }}
            >
              <Stack>
                <TextInput label="Campaign name" required value={name} onChange={(e) => setName(e.currentTarget.value)} placeholder="Spring sale reminder" />
                <Group grow align="flex-start" wrap="wrap">
                  <Select
                    label="Channel"
                    required
                    data={channels.map((c) => ({ value: c.id, label: `${c.name} (${c.phoneNumber})` }))}
                    value={channelId}
                    onChange={(v) => {
                      setChannelId(v);
                      setTemplateId(null);
                    }}
                    placeholder={channels.length ? 'Pick a channel' : 'No channels yet'}
                    miw={240}
                  />
                  <Select
                    label="Approved template"
                    required
                    data={approved.map((t) => ({ value: t.id, label: `${t.name} (${t.language})` }))}
                    value={templateId}
                    onChange={setTemplateId}
                    disabled={!channelId}
                    placeholder={channelId && approved.length === 0 ? 'No approved template on this channel' : 'Pick a template'}
                    miw={240}
                  />
                </Group>
                {template && (
                  <Alert variant="light" color="gray" title={`${template.category ?? 'Template'} · ${template.language}`}>
                    <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                      {template.body}
                    </Text>
                  </Alert>
                )}
                <CsvInput
                  label="Recipients CSV"
                  description={
                    template ? (
                      <>
                        Header: <Code>{recipientsHeader(template.variables)}</Code>, one recipient a line, numbers in E.164.
                      </>
                    ) : (
                      'A phone column, then one column per template variable.'
                    )
                  }
                  value={csv}
                  onChange={setCsv}
                  placeholder={template ? `${recipientsHeader(template.variables)}\n+34600000001,${template.variables.map(() => 'value').join(',')}` : 'phone,1\n+34600000001,Ana'}
                />
                {template && !csv.trim() && (
                  <Group>
                    <Button variant="subtle" size="xs" onClick={() => setCsv(`${recipientsHeader(template.variables)}\n`)}>
                      Start from the header
                    </Button>
                  </Group>
                )}
                <DateTimePicker
                  label="Start at (optional)"
                  description="Leave empty to start as soon as you press Start. In your time zone."
                  value={startAt}
                  onChange={setStartAt}
                  clearable
                  minDate={dayjs().format('YYYY-MM-DD')}
                  placeholder="When it is started"
                  maw={320}
                />
                {channels.length === 0 && (
                  <Alert color="yellow" variant="light" icon={<IconInfoCircle size={18} />}>
                    Connect a channel and get a template approved first.
                  </Alert>
                )}
                <Group justify="flex-end">
                  <Button variant="default" component={Link} to="/campaigns">
                    Cancel
                  </Button>
                  <Button type="submit" disabled={!canCreate} loading={createState.fetching}>
                    Create and check
                  </Button>
                </Group>
              </Stack>
            </form>
          </Paper>
        ) : (
          <Stack maw={820}>
            <PreflightCard campaignId={draft.id} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => navigate(`/campaigns/${draft.id}`)}>
                Keep as draft
              </Button>
              <Button
                loading={startState.fetching}
                onClick={async () => {
                  if (await start({ id: draft.id })) navigate(`/campaigns/${draft.id}`);
                }}
              >
                {draft.startAt ? 'Schedule campaign' : 'Start campaign'}
              </Button>
            </Group>
          </Stack>
        )}
      </QueryState>
    </>
  );
}
