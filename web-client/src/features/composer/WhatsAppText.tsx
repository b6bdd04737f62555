import { Box, Code, Text } from '@mantine/core';
import { Fragment, type ReactNode } from 'react';
import { parseLines, type Span } from './whatsapp';

function spans(list: Span[]): ReactNode {
  return list.map((s, i) => {
    switch (s.kind) {
      case 'text':
        return <Fragment key={i}>{s.text}</Fragment>;
      case 'bold':
        return <strong key={i}>{spans(s.children)}</strong>;
      case 'italic':
        return <em key={i}>{spans(s.children)}</em>;
      case 'strike':
        return <s key={i}>{spans(s.children)}</s>;
      default:
        return <Code key={i}>{s.text}</Code>;
    }
  });
}

/** A text as the customer's WhatsApp shows it. */
export function WhatsAppText({ text }: { text: string }) {
  return (
    <Box>
      {parseLines(text).map((line, i) => {
        const content = spans(line.spans);
        if (line.kind === 'bullet') return <Text key={i} size="sm">• {content}</Text>;
        if (line.kind === 'numbered') return <Text key={i} size="sm">{line.n}. {content}</Text>;
        if (line.kind === 'quote') {
          return (
            <Text key={i} size="sm" c="dimmed" pl="xs" style={{ borderLeft: '3px solid var(--mantine-color-default-border)' }}>
              {content}
            </Text>
          );
        }
        return (
          <Text key={i} size="sm" style={{ whiteSpace: 'pre-wrap', minHeight: '1.2em' }}>
            {content}
          </Text>
        );
      })}
    </Box>
  );
}
