// Creating or editing a template, with its live preview. A new Meta template goes to review
// at once; a Twilio one waits for "Submit" on the list.

import { Anchor, Breadcrumbs, Paper } from '@mantine/core';
import { useMemo } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { useMutationAction } from '../../../lib/useMutationAction';
import { CreateTemplate, TemplateById, TemplatesChannels, UpdateTemplate } from './documents';
import { emptyTemplate, TemplateForm, type TemplateFormValues } from './TemplateForm';

function channelOptions(channels: { id: string; name: string; provider: string; phoneNumber: string }[] = []) {
  return channels.map((c) => ({ value: c.id, label: `${c.name} · ${c.provider === 'META' ? 'Meta' : 'Twilio'} · ${c.phoneNumber}` }));
}

export function TemplateEditorPage() {
  const { id } = useParams();
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const [channels] = useQuery({ query: TemplatesChannels });
  const [existing] = useQuery({ query: TemplateById, variables: { id: id ?? '' }, pause: !id });
  const [created, create] = useMutationAction(CreateTemplate, (d) => `Template ${d.createTemplate.name} created: ${d.createTemplate.status}`);
  const [updated, update] = useMutationAction(UpdateTemplate, (d) => `Template ${d.updateTemplate.name} saved: ${d.updateTemplate.status}`);
  const back = () => navigate('/templates');

  const template = existing.data?.template;
  const initial = useMemo<TemplateFormValues | null>(() => {
    if (!id) {
      const only = channels.data?.channels.length === 1 ? channels.data.channels[0].id : '';
      return { ...emptyTemplate, channelId: search.get('channel') ?? only };
    }
    if (!template) return null;
    return {
      channelId: template.channelId,
      name: template.name,
      language: template.language,
      category: template.category ?? 'UTILITY',
      headerKind: template.headerText ? 'TEXT' : 'NONE',
      headerText: template.headerText ?? '',
      body: template.body,
      examples: {},
      footer: template.footer ?? '',
      quickReplies: template.quickReplies,
    };
  }, [id, template, channels.data, search]);

  const save = async (v: TemplateFormValues, examples: string[]) => {
    const headerText = v.headerKind === 'TEXT' ? v.headerText.trim() : '';
    const common = {
      category: v.category,
      body: v.body,
      footer: v.footer.trim(),
      quickReplies: v.quickReplies,
      examples: examples.some((e) => e) ? examples : undefined,
    };
    if (id) {
      const done = await update({ id, input: { ...common, headerText } });
      if (done) back();
    } else {
      const done = await create({
        input: {
          ...common,
          channelId: v.channelId,
          name: v.name.trim(),
          language: v.language.trim(),
          headerText: headerText || undefined,
          footer: common.footer || undefined,
        },
      });
      if (done) back();
    }
  };

  const title = id ? `Edit ${template?.name ?? 'template'}` : 'New template';
  return (
    <>
      <Breadcrumbs mb="xs">
        <Anchor component={Link} to="/templates" size="sm">
          Templates
        </Anchor>
        <span>{title}</span>
      </Breadcrumbs>
      <PageHeader
        title={title}
        description={
          id
            ? 'Saving sends the template to WhatsApp for review again.'
            : 'Meta reviews a new template at once; a Twilio one waits until you submit it.'
        }
      />
      <Paper withBorder p="lg" radius="md">
        <QueryState
          fetching={channels.fetching || existing.fetching}
          error={channels.error ?? existing.error}
          hasData={!!channels.data && !!initial}
        >
          {initial && (
            <TemplateForm
              key={id ?? 'new'}
              initial={initial}
              editing={!!id}
              channels={channelOptions(channels.data?.channels)}
              submitting={created.fetching || updated.fetching}
              error={id ? updated.error : created.error}
              onSubmit={(v, examples) => void save(v, examples)}
              onCancel={back}
            />
          )}
        </QueryState>
      </Paper>
    </>
  );
}
