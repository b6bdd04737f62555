import { fireEvent, screen, waitFor } from '@testing-library/react';
import { CombinedError } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { renderWith } from '../test/render';
import { ConfirmDialog } from './ConfirmDialog';

describe('ConfirmDialog', () => {
  it("shows the API's refusal in place", () => {
    const error = new CombinedError({ graphQLErrors: [{ message: 'Queue still in use', extensions: { code: 'CONFLICT' } }] });
    renderWith(
      <ConfirmDialog opened title="Delete Billing?" error={error} errorTitle="Not deleted" onConfirm={() => {}} onClose={() => {}}>
        Its rules stay.
      </ConfirmDialog>,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Queue still in use');
    expect(screen.getByText('Its rules stay.')).toBeInTheDocument();
  });

  it('asks for the typed value before confirming, and closes when the action succeeds', async () => {
    const onClose = vi.fn();
    const onConfirm = vi.fn(() => Promise.resolve(true));
    renderWith(
      <ConfirmDialog opened title="Erase this contact" confirmLabel="Erase for good" typed={{ value: '+34611' }} onConfirm={onConfirm} onClose={onClose}>
        Gone for good.
      </ConfirmDialog>,
    );
    const confirm = screen.getByRole('button', { name: 'Erase for good' });
    expect(confirm).toBeDisabled();
    fireEvent.change(screen.getByRole('textbox', { name: 'Type +34611 to confirm' }), { target: { value: '+34611' } });
    expect(confirm).toBeEnabled();
    fireEvent.click(confirm);
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(onConfirm).toHaveBeenCalledOnce();
  });
});
