import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CombinedError } from 'urql';
import { describe, expect, it } from 'vitest';
import { fromValue } from 'wonka';
import { renderWith } from '../../../test/render';
import { LabelsPage } from './LabelsPage';

// Generous timeouts: these render Mantine forms on a shared, busy machine.
describe('LabelsPage', () => {
  it('says what to do when there are no labels', () => {
    renderWith(<LabelsPage />, { executeQuery: () => fromValue({ data: { labels: [] }, stale: false, hasNext: false }) as never });
    expect(screen.getByText('No labels yet')).toBeInTheDocument();
  }, 20_000);

  it("shows a refused label's message and code in the form", async () => {
    const error = new CombinedError({ graphQLErrors: [{ message: 'name: another label has this name', extensions: { code: 'BAD_USER_INPUT' } }] });
    renderWith(<LabelsPage />, {
      executeQuery: () => fromValue({ data: { labels: [] }, stale: false, hasNext: false }) as never,
      executeMutation: ((op: unknown) => fromValue({ operation: op, error, stale: false, hasNext: false })) as never,
    });
    await userEvent.click(screen.getByRole('button', { name: 'New label' }));
    await userEvent.click(await screen.findByRole('textbox', { name: 'Name' }));
    await userEvent.paste('VIP');
    await userEvent.click(screen.getByRole('button', { name: 'Create label' }));
    await waitFor(() => expect(screen.getByTestId('error-code')).toHaveTextContent('BAD_USER_INPUT'));
    expect(screen.getByRole('alert')).toHaveTextContent('another label has this name');
  }, 20_000);
});
