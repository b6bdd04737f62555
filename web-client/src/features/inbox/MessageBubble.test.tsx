import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fromValue } from 'wonka';
import type { InboxMessageFieldsFragment } from '../../gql/graphql';
import { renderWith } from '../../test/render';
import { MessageBubble } from './MessageBubble';
import { WindowBadge } from './WindowBadge';

function outbound(over: Partial<InboxMessageFieldsFragment>): InboxMessageFieldsFragment {
  return {
    id: 'm1',
    direction: 'OUTBOUND',
    status: 'SENT',
    text: 'Your parcel is on its way.',
    sentAt: '2026-12-07T10:00:00Z',
    providerMessageId: 'wamid.1',
    forwarded: false,
    lastError: null,
    attachments: [],
    content: { __typename: 'TextContent', body: 'Your parcel is on its way.' },
    ...over,
  };
}

describe('MessageBubble', () => {
  it('shows read as its own tick', () => {
    renderWith(<MessageBubble message={outbound({ status: 'READ' })} reactions={[]} onRetried={() => {}} />);
    expect(screen.getByRole('img', { name: 'Read' })).toHaveAttribute('data-status', 'READ');
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it("shows a failed send's reason and retries it", async () => {
    const executeMutation = vi.fn(() => fromValue({ data: { retryMessage: { id: 'm1', status: 'QUEUED' } } }));
    const onRetried = vi.fn();
    renderWith(
      <MessageBubble
        message={outbound({ status: 'FAILED', lastError: { code: '131026', message: 'Message undeliverable' } })}
        reactions={[{ emoji: '👍', fromCustomer: true }]}
        onRetried={onRetried}
      />,
      { executeMutation } as never,
    );
    expect(screen.getByText('Message undeliverable')).toBeInTheDocument();
    expect(screen.getByText('131026')).toBeInTheDocument();
    expect(screen.getByLabelText('Reactions: 👍')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(executeMutation).toHaveBeenCalled();
    expect(onRetried).toHaveBeenCalled();
  });
});

describe('WindowBadge', () => {
  it('counts down while open and says when it is closed', () => {
    const soon = new Date(Date.now() + 2 * 3_600_000 + 5 * 60_000 + 30_000).toISOString();
    const { unmount } = renderWith(<WindowBadge expiresAt={soon} />);
    expect(screen.getByTestId('window-state')).toHaveTextContent(/Window open · 2h 05m left/);
    unmount();
    renderWith(<WindowBadge expiresAt="2020-01-01T00:00:00Z" />);
    expect(screen.getByTestId('window-state')).toHaveTextContent('Window closed');
  });
});
