import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CombinedError, type Client } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { renderWith } from '../../../test/render';
import { TestRoutingBox } from './TestRoutingBox';

// jsdom has no FontFaceSet; Mantine's autosize Textarea listens to it.
if (!('fonts' in document)) {
  Object.defineProperty(document, 'fonts', { value: { addEventListener: () => {}, removeEventListener: () => {} } });
}

const channels = [{ id: 'c1', name: 'Meta' }];

// The box asks with `client.query(...).toPromise()`; the stub answers that one call.
function answering(result: unknown) {
  const query = vi.fn(() => ({ toPromise: () => Promise.resolve(result) }));
  return { query: query as unknown as Client['query'], calls: query };
}

// Generous timeouts: these render Mantine forms on a shared, busy machine.
describe('TestRoutingBox', () => {
  it('shows the rule that held and its queue', async () => {
    const client = answering({
      data: { testRouting: { routedBy: 'RULE', rule: { id: 'r1', name: 'Refunds' }, queue: { id: 'q1', name: 'Billing' } } },
    });
    renderWith(<TestRoutingBox channels={channels} />, { query: client.query });
    await userEvent.click(screen.getByRole('textbox', { name: 'First message' }));
    await userEvent.paste('I want a refund');
    await userEvent.click(screen.getByRole('button', { name: 'Test routing' }));
    const decision = await screen.findByTestId('routing-decision');
    expect(decision).toHaveTextContent('A rule held');
    expect(decision).toHaveTextContent('Refunds');
    expect(decision).toHaveTextContent('Billing');
    expect(client.calls).toHaveBeenCalledWith(
      expect.anything(),
      { input: { channelId: 'c1', text: 'I want a refund', language: null } },
      expect.anything(),
    );
  }, 20_000);

  it("shows the API's refusal with its code", async () => {
    const error = new CombinedError({ graphQLErrors: [{ message: 'No channel with that id', extensions: { code: 'NOT_FOUND' } }] });
    renderWith(<TestRoutingBox channels={channels} />, { query: answering({ error }).query });
    await userEvent.click(screen.getByRole('textbox', { name: 'First message' }));
    await userEvent.paste('hello');
    await userEvent.click(screen.getByRole('button', { name: 'Test routing' }));
    await waitFor(() => expect(screen.getByTestId('error-code')).toHaveTextContent('NOT_FOUND'));
  }, 20_000);

  it('asks for a channel first when there is none', () => {
    renderWith(<TestRoutingBox channels={[]} />);
    expect(screen.getByText(/Connect a channel first/)).toBeInTheDocument();
  }, 20_000);
});
