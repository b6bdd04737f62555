// What a message says, by its kind: text, media (with its preview), a location, contact cards,
// interactive messages and the customer's replies to them.

import { Anchor, Badge, Group, Stack, Text } from '@mantine/core';
import { IconAddressBook, IconArrowBackUp, IconMapPin } from '@tabler/icons-react';
import type { InboxMessageFieldsFragment } from '../../gql/graphql';
import { MediaPreview } from './MediaPreview';
import { osmLink } from './model';

function Body({ children }: { children: string | null | undefined }) {
  if (!children) return null;
  return (
    <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
      {children}
    </Text>
  );
}

export function MessageBody({ message }: { message: InboxMessageFieldsFragment }) {
  const content = message.content;
  switch (content.__typename) {
    case 'TextContent':
      return <Body>{content.body}</Body>;
    case 'MediaContent':
      return (
        <Stack gap={6}>
          {message.attachments.map((a) => (
            <MediaPreview key={a.id} attachment={a} kind={content.mediaType} />
          ))}
          {message.attachments.length === 0 && (
            <Text size="sm" c="dimmed">
              [{content.mediaType.toLowerCase()}]
            </Text>
          )}
          <Body>{content.caption}</Body>
        </Stack>
      );
    case 'LocationContent':
      return (
        <Group gap={6} wrap="nowrap" align="flex-start">
          <IconMapPin size={18} aria-hidden />
          <Stack gap={0}>
            {content.placeName && (
              <Text size="sm" fw={600}>
                {content.placeName}
              </Text>
            )}
            {content.address && <Text size="sm">{content.address}</Text>}
            <Anchor size="sm" href={osmLink(content.latitude, content.longitude)} target="_blank" rel="noreferrer">
              Location {content.latitude.toFixed(5)}, {content.longitude.toFixed(5)} on OpenStreetMap
            </Anchor>
          </Stack>
        </Group>
      );
    case 'ContactsContent':
      return (
        <Stack gap={6}>
          {content.contacts.map((card, i) => (
            <Group key={i} gap={6} wrap="nowrap" align="flex-start">
              <IconAddressBook size={18} aria-hidden />
              <Stack gap={0}>
                <Text size="sm" fw={600}>
                  {card.formattedName}
                </Text>
                {card.organization && (
                  <Text size="xs" c="dimmed">
                    {card.organization}
                  </Text>
                )}
                {card.phones.map((p) => (
                  <Text size="sm" key={p.phone}>
                    {p.phone}
                    {p.kind ? ` (${p.kind.toLowerCase()})` : ''}
                  </Text>
                ))}
                {card.emails.map((e) => (
                  <Text size="sm" key={e}>
                    {e}
                  </Text>
                ))}
              </Stack>
            </Group>
          ))}
        </Stack>
      );
    case 'ButtonsContent':
      return (
        <Stack gap={6}>
          {content.header && <Text fw={600} size="sm">{content.header}</Text>}
          <Body>{content.body}</Body>
          {content.footer && <Text size="xs" c="dimmed">{content.footer}</Text>}
          <Group gap={4}>
            {content.buttons.map((b) => (
              <Badge key={b.id} variant="outline" radius="sm">
                {b.title}
              </Badge>
            ))}
          </Group>
        </Stack>
      );
    case 'ListContent':
      return (
        <Stack gap={6}>
          {content.header && <Text fw={600} size="sm">{content.header}</Text>}
          <Body>{content.body}</Body>
          <Badge variant="outline" radius="sm">
            {content.button}
          </Badge>
        </Stack>
      );
    case 'ButtonReplyContent':
    case 'ListReplyContent':
    case 'TemplateButtonContent': {
      const title = content.__typename === 'TemplateButtonContent' ? content.buttonText : content.title;
      const label = content.__typename === 'ListReplyContent' ? 'Chose from the list' : 'Tapped a button';
      return (
        <Stack gap={2}>
          <Group gap={4} c="dimmed">
            <IconArrowBackUp size={14} aria-hidden />
            <Text size="xs">{label}</Text>
          </Group>
          <Text size="sm" fw={600}>
            {title}
          </Text>
          {content.__typename === 'ListReplyContent' && content.description && (
            <Text size="xs" c="dimmed">
              {content.description}
            </Text>
          )}
        </Stack>
      );
    }
    case 'ReactionContent':
      return <Body>{content.emoji ? `Reacted ${content.emoji}` : 'Removed a reaction'}</Body>;
    case 'TemplateContent':
      return (
        <Stack gap={4}>
          <Badge size="xs" variant="light" color="grape">
            Template {content.templateName}
          </Badge>
          <Body>{content.templateText}</Body>
        </Stack>
      );
    case 'SystemContent':
      return <Body>{content.systemBody ?? content.kind}</Body>;
    case 'OrderContent':
      return <Body>{`Order of ${content.items.length} item(s)${content.orderText ? `: ${content.orderText}` : ''}`}</Body>;
    case 'FlowReplyContent':
      return <Body>{content.flowBody ?? content.flowName ?? 'Form reply'}</Body>;
    case 'UnsupportedContent':
      return (
        <Text size="sm" c="dimmed">
          A message WhatsApp sent that Switchboard cannot show ({content.rawType}).
        </Text>
      );
    default:
      return <Body>{message.text}</Body>;
  }
}
