import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Client, Operation } from 'urql';
import { fromValue } from 'wonka';
import { renderWith } from '../../test/render';
import { LengthHint } from './LengthHint';
import { TemplatePicker } from './TemplatePicker';

const template = (id: string, name: string, status: string) => ({
  __typename: 'Template',
  id,
  name,
  language: 'en',
  category: 'UTILITY',
  status,
  body: 'Hi {{1}}, order {{2}} ships.',
  headerText: null,
  footer: null,
  quickReplies: [],
  variables: ['1', '2'],
});

function stub(templates: ReturnType<typeof template>[]): Partial<Client> {
  return {
    executeQuery: ((operation: Operation) =>
      fromValue({ operation, data: { templates }, stale: false, hasNext: false })) as Client['executeQuery'],
  };
}

describe('TemplatePicker', () => {
  it('offers only approved templates and previews the values as they are typed', async () => {
    const user = userEvent.setup();
    renderWith(
      <TemplatePicker conversationId="c1" channelId="ch1" />,
      stub([template('t1', 'order_update', 'APPROVED'), template('t2', 'promo', 'PENDING')]),
    );
    await user.click(screen.getByRole('combobox', { name: 'Template' }));
    // Mantine's dropdown is still in its opening transition for jsdom: count hidden nodes too.
    await user.click(await screen.findByRole('option', { name: 'order_update (en)', hidden: true }));
    expect(screen.queryByRole('option', { name: 'promo (en)', hidden: true })).toBeNull();
    expect(screen.getByRole('button', { name: 'Send template' })).toBeDisabled();
    await user.type(screen.getByRole('textbox', { name: /Variable 1/ }), 'Ana');
    expect(screen.getByTestId('template-preview')).toHaveTextContent('Hi Ana, order {{2}} ships.');
    await user.type(screen.getByRole('textbox', { name: /Variable 2/ }), 'A-7');
    expect(screen.getByTestId('template-preview')).toHaveTextContent('Hi Ana, order A-7 ships.');
    expect(screen.getByRole('button', { name: 'Send template' })).toBeEnabled();
  }, 20_000);

  it('says what to do when the channel has no approved template', () => {
    renderWith(<TemplatePicker conversationId="c1" channelId="ch1" />, stub([template('t2', 'promo', 'PENDING')]));
    expect(screen.getByText('No approved templates on this channel')).toBeInTheDocument();
  });
});

describe('LengthHint', () => {
  it('stays quiet far from the limit and counts parts or refuses a caption over it', () => {
    const quiet = renderWith(<LengthHint length={10} limit={100} caption={false} />);
    expect(screen.queryByText(/\/ 100/)).toBeNull();
    quiet.unmount();
    renderWith(<LengthHint length={250} limit={100} caption={false} />);
    expect(screen.getByText(/goes as 3 messages/)).toBeInTheDocument();
    renderWith(<LengthHint length={120} limit={100} caption />);
    expect(screen.getByText(/too long for a caption/)).toBeInTheDocument();
  });
});
