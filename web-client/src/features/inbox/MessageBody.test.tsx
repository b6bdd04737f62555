import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { InboxMessageFieldsFragment } from '../../gql/graphql';
import { renderWith } from '../../test/render';
import { MessageBody } from './MessageBody';

function inbound(content: InboxMessageFieldsFragment['content']): InboxMessageFieldsFragment {
  return {
    id: 'm1',
    direction: 'INBOUND',
    status: 'RECEIVED',
    text: null,
    sentAt: '2026-12-07T10:00:00Z',
    providerMessageId: 'wamid.1',
    forwarded: false,
    lastError: null,
    attachments: [],
    content,
  };
}

describe('MessageBody', () => {
  it('links a location to OpenStreetMap', () => {
    renderWith(
      <MessageBody
        message={inbound({ __typename: 'LocationContent', latitude: 40.4168, longitude: -3.7038, placeName: 'Puerta del Sol', address: null })}
      />,
    );
    expect(screen.getByText('Puerta del Sol')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /on OpenStreetMap/ })).toHaveAttribute(
      'href',
      'https://www.openstreetmap.org/?mlat=40.4168&mlon=-3.7038#map=16/40.4168/-3.7038',
    );
  });

  it("shows a contact card's name, phones and e-mails", () => {
    renderWith(
      <MessageBody
        message={inbound({
          __typename: 'ContactsContent',
          contacts: [
            { formattedName: 'Rosa Díaz', organization: 'Acme', emails: ['rosa@example.com'], phones: [{ phone: '+34911222333', kind: 'WORK' }] },
          ],
        })}
      />,
    );
    expect(screen.getByText('Rosa Díaz')).toBeInTheDocument();
    expect(screen.getByText('+34911222333 (work)')).toBeInTheDocument();
    expect(screen.getByText('rosa@example.com')).toBeInTheDocument();
  });

  it('says which button or list row the customer chose', () => {
    const { unmount } = renderWith(<MessageBody message={inbound({ __typename: 'ButtonReplyContent', id: 'yes', title: 'Yes, please' })} />);
    expect(screen.getByText('Tapped a button')).toBeInTheDocument();
    expect(screen.getByText('Yes, please')).toBeInTheDocument();
    unmount();
    renderWith(<MessageBody message={inbound({ __typename: 'ListReplyContent', id: 'csat:4', title: 'Good', description: '4 of 5' })} />);
    expect(screen.getByText('Chose from the list')).toBeInTheDocument();
    expect(screen.getByText('4 of 5')).toBeInTheDocument();
  });
});
