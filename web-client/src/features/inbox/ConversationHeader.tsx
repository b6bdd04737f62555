// The conversation's header: who, on which channel and queue, its status, assignee, labels,
// the 24-hour window, the CSAT answer, and the actions.

import { ActionIcon, Badge, Group, Rating, Stack, Text, Title, Tooltip } from '@mantine/core';
import { IconArrowLeft, IconBrandWhatsapp, IconStack2, IconUser } from '@tabler/icons-react';
import type { InboxConversationQuery } from '../../gql/graphql';
import { formatDateTime } from '../../lib/time';
import { ConversationActions, type AgentOption, type QueueOption } from './ConversationActions';
import { LabelEditor } from './LabelEditor';
import { contactName, STATUS_COLOR, STATUS_LABEL } from './model';
import { WindowBadge } from './WindowBadge';

type Conversation = NonNullable<InboxConversationQuery['conversation']>;

function Csat({ csat }: { csat: NonNullable<Conversation['csat']> }) {
  if (csat.rating == null) {
    return (
      <Badge variant="light" color="gray" title={`Asked ${formatDateTime(csat.askedAt)}`}>
        CSAT asked, no answer yet
      </Badge>
    );
  }
  return (
    <Group gap={6} data-testid="csat" aria-label={`Customer rating ${csat.rating} out of 5`}>
      <Text size="sm" fw={600}>
        CSAT {csat.rating}/5
      </Text>
      <Rating value={csat.rating} readOnly size="sm" aria-hidden />
      {csat.answeredAt && (
        <Text size="xs" c="dimmed">
          {formatDateTime(csat.answeredAt)}
        </Text>
      )}
    </Group>
  );
}

export function ConversationHeader({
  conversation,
  agents,
  queues,
  allLabels,
  onBack,
  onChanged,
}: {
  conversation: Conversation;
  agents: AgentOption[];
  queues: QueueOption[];
  allLabels: { id: string; name: string; color: string }[];
  onBack?: () => void;
  onChanged: () => void;
}) {
  const name = contactName(conversation.contact);
  const assignee = agents.find((a) => a.userId === conversation.assigneeId);
  return (
    <Stack gap={6} pb="xs" style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <Group gap="xs" wrap="nowrap" align="flex-start">
          {onBack && (
            <ActionIcon variant="subtle" aria-label="Back to the conversation list" onClick={onBack}>
              <IconArrowLeft size={18} />
            </ActionIcon>
          )}
          <Stack gap={0}>
            <Title order={3} size="h4">
              {name}
            </Title>
            <Text size="xs" c="dimmed">
              {conversation.contact.phoneNumber}
            </Text>
          </Stack>
        </Group>
        <ConversationActions conversation={conversation} agents={agents} queues={queues} onChanged={onChanged} />
      </Group>
      <Group gap={6} wrap="wrap">
        <Badge color={STATUS_COLOR[conversation.status]} variant="filled" data-testid="conversation-status">
          {conversation.status !== 'PENDING'
            ? STATUS_LABEL[conversation.status]
            : conversation.snoozedUntil
              ? `Snoozed until ${formatDateTime(conversation.snoozedUntil)}`
              : 'Waiting on the customer'}
        </Badge>
        <Tooltip label={`${conversation.channel.provider.toLowerCase()} · ${conversation.channel.phoneNumber}`}>
          <Badge variant="default" tt="none" leftSection={<IconBrandWhatsapp size={12} aria-hidden />}>
            {conversation.channel.name}
          </Badge>
        </Tooltip>
        <Badge variant="default" tt="none" leftSection={<IconStack2 size={12} aria-hidden />} data-testid="conversation-queue">
          {conversation.queue ? `Queue: ${conversation.queue.name}` : 'No queue'}
        </Badge>
        <Badge variant="default" tt="none" leftSection={<IconUser size={12} aria-hidden />} data-testid="conversation-assignee">
          {assignee ? `Assignee: ${assignee.label}` : conversation.assigneeId ? 'Assigned' : 'Unassigned'}
        </Badge>
        <WindowBadge expiresAt={conversation.windowExpiresAt} />
        {conversation.csat && <Csat csat={conversation.csat} />}
      </Group>
      <LabelEditor conversationId={conversation.id} labels={conversation.labels} allLabels={allLabels} onChanged={onChanged} />
    </Stack>
  );
}
