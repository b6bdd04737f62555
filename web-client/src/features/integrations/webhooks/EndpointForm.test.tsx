import { fireEvent, screen } from '@testing-library/react';
import { CombinedError } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { renderWith } from '../../../test/render';
import { EndpointForm, type EventTypeInfo } from './EndpointForm';
import { eventIndexOf, formatDocument, locationOf } from './eventDocuments';

const types: EventTypeInfo[] = [
  { type: 'MESSAGE_RECEIVED', field: 'messageEvents', defaultDocument: 'subscription { messageEvents { kind } }', adminOnly: false },
  { type: 'TEMPLATE_STATUS_CHANGED', field: 'templateEvents', defaultDocument: 'subscription { templateEvents { template { id } } }', adminOnly: true },
  { type: 'PING', field: 'ping', defaultDocument: '', adminOnly: false },
];

const refused = new CombinedError({
  graphQLErrors: [
    {
      message: 'events[1].document: line 3, column 5: Unknown field "nope" on type "TemplateEvent".',
      extensions: { code: 'BAD_USER_INPUT', field: 'events[1].document' },
    },
  ],
});

describe('webhook document errors', () => {
  it('finds the event and where in its document', () => {
    expect(eventIndexOf(refused)).toBe(1);
    expect(locationOf(refused.graphQLErrors[0].message)).toEqual({ line: 3, column: 5 });
    expect(locationOf('give at least one event type')).toBeNull();
  });

  it('lays a document out one field a line, and leaves a broken one alone', () => {
    expect(formatDocument('subscription { messageEvents { kind } }')).toBe('subscription {\n  messageEvents {\n    kind\n  }\n}');
    expect(formatDocument('subscription {')).toBe('subscription {');
  });
});

describe('EndpointForm', { timeout: 20_000 }, () => {
  const initial = {
    url: 'https://example.com/hook',
    description: '',
    enabled: true,
    role: 'ADMIN' as const,
    events: [
      { type: 'MESSAGE_RECEIVED' as const, document: 'subscription { messageEvents { kind } }' },
      { type: 'TEMPLATE_STATUS_CHANGED' as const, document: 'subscription { templateEvents { template { nope } } }' },
    ],
  };

  it("puts the API's error under the document it is about, with its line and column", () => {
    renderWith(<EndpointForm initial={initial} eventTypes={types} submitting={false} error={refused} submitLabel="Save" onSubmit={() => {}} onCancel={() => {}} />);
    expect(screen.getByTestId('document-error-location')).toHaveTextContent('Line 3, column 5');
    const box = screen.getByRole('textbox', { name: 'Document for TEMPLATE_STATUS_CHANGED' });
    expect(box).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('textbox', { name: 'Document for MESSAGE_RECEIVED' })).not.toHaveAttribute('aria-invalid', 'true');
    // Once the document changes, the error about its old text goes.
    fireEvent.change(box, { target: { value: 'subscription { templateEvents { template { id } } }' } });
    expect(screen.queryByTestId('document-error-location')).toBeNull();
    expect(box).not.toHaveAttribute('aria-invalid', 'true');
    // PING is sent by the test button, never subscribed to.
    expect(screen.queryByRole('checkbox', { name: 'PING' })).toBeNull();
  });

  it('prefills a checked event with its default document and submits the chosen ones', () => {
    const onSubmit = vi.fn();
    renderWith(
      <EndpointForm
        initial={{ ...initial, events: [] }}
        eventTypes={types}
        submitting={false}
        submitLabel="Create"
        onSubmit={onSubmit}
        onCancel={() => {}}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(screen.getByText('Pick at least one event type')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('checkbox', { name: 'MESSAGE_RECEIVED' }));
    expect(screen.getByRole('textbox', { name: 'Document for MESSAGE_RECEIVED' })).toHaveValue(
      'subscription {\n  messageEvents {\n    kind\n  }\n}',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({
        url: 'https://example.com/hook',
        events: [{ type: 'MESSAGE_RECEIVED', document: 'subscription {\n  messageEvents {\n    kind\n  }\n}' }],
      }),
    );
  });

  it('keeps admin-only events from an agent-role endpoint', () => {
    renderWith(
      <EndpointForm initial={{ ...initial, role: 'AGENT', events: [] }} eventTypes={types} submitting={false} submitLabel="Create" onSubmit={() => {}} onCancel={() => {}} />,
    );
    expect(screen.getByRole('checkbox', { name: /TEMPLATE_STATUS_CHANGED/ })).toBeDisabled();
  });
});
