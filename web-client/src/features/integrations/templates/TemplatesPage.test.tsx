import { screen, within } from '@testing-library/react';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import type { Client, Operation } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { delay, fromValue, pipe } from 'wonka';
import { renderWith } from '../../../test/render';
import { TemplatesPage } from './TemplatesPage';

vi.mock('../../../lib/session', () => ({
  useSession: () => ({ user: { id: 'u1', email: 'o@example.com', name: 'Olivia', role: 'OWNER' }, tenant: null, accessToken: 't' }),
  hasRole: () => true,
}));

const template = {
  __typename: 'Template',
  id: 't1',
  channelId: 'c1',
  name: 'order_update',
  language: 'en',
  category: 'UTILITY',
  status: 'PENDING',
  rejectionReason: null,
  body: 'Hi {{1}}',
  headerText: null,
  footer: null,
  quickReplies: [],
  variables: ['1'],
  parameterFormat: 'POSITIONAL',
  providerTemplateId: '1',
  updatedAt: '2026-12-07T10:00:00Z',
  syncedAt: null,
};

function nameOf(query: DocumentNode): string {
  const op = query.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  return op?.name?.value ?? '';
}

const answers: Record<string, unknown> = {
  IntegrationsTemplates: { templates: [template] },
  IntegrationsChannels: { channels: [{ __typename: 'Channel', id: 'c1', name: 'Meta', provider: 'META', phoneNumber: '+15550783881' }] },
};

describe('TemplatesPage', () => {
  it('turns a status badge when a review event arrives', async () => {
    const client = {
      executeQuery: (operation: Operation) => fromValue({ operation, data: answers[nameOf(operation.query)], stale: false, hasNext: false }),
      executeSubscription: (operation: Operation) =>
        pipe(
          fromValue({
            operation,
            data: {
              templateEvents: {
                __typename: 'TemplateEvent',
                template: { ...template, status: 'REJECTED', rejectionReason: 'INVALID_FORMAT', updatedAt: '2026-12-07T10:05:00Z' },
              },
            },
            stale: false,
            hasNext: true,
          }),
          delay(50),
        ),
    };
    renderWith(<TemplatesPage />, client as unknown as Partial<Client>);
    const row = await screen.findByTestId('template-order_update');
    expect(within(row).getByTestId('template-status')).toHaveTextContent(/PENDING|REJECTED/);
    expect(await within(row).findByText('INVALID_FORMAT')).toBeInTheDocument();
    expect(within(row).getByTestId('template-status')).toHaveTextContent('REJECTED');
  });
});
