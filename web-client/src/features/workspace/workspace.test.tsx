import { screen } from '@testing-library/react';
import { CombinedError } from 'urql';
import { describe, expect, it } from 'vitest';
import { concat, fromValue, never } from 'wonka';
import { renderWith } from '../../test/render';
import { ApiKeySecretModal } from './apiKeys/ApiKeyModals';
import { describeDetails } from './audit/details';
import { BusinessProfilePanel } from './channels/BusinessProfilePanel';
import { normalizeKeywords } from './settings/keywords';

describe('the new API key', () => {
  it('shows the secret once, with a warning and a copy button', () => {
    renderWith(
      <ApiKeySecretModal
        created={{ secret: 'sb_abc_123', apiKey: { id: 'k1', name: 'crm', prefix: 'abc', role: 'ADMIN' } }}
        onClose={() => {}}
      />,
    );
    expect(screen.getByText('Copy it now: it is shown only once')).toBeInTheDocument();
    expect(screen.getByLabelText('Secret')).toHaveTextContent('sb_abc_123');
    expect(screen.getByRole('button', { name: 'Copy secret' })).toBeInTheDocument();
  });
});

describe('the business profile', () => {
  it("turns Twilio's UNSUPPORTED into guidance, not an error", async () => {
    const error = new CombinedError({
      graphQLErrors: [{ message: 'Twilio manages the business profile in its console.', extensions: { code: 'UNSUPPORTED' } }],
    });
    const channel = { id: 'c1', provider: 'TWILIO' } as unknown as Parameters<typeof BusinessProfilePanel>[0]['channel'];
    renderWith(<BusinessProfilePanel channel={channel} />, {
      // A live query's source stays open after its answer, as the real client's does.
      executeQuery: (operation: unknown) => concat([fromValue({ operation, data: undefined, error, stale: false, hasNext: false }), never]),
    } as never);
    expect(await screen.findByText('Twilio keeps this profile')).toBeInTheDocument();
    expect(screen.getByText(/Twilio manages the business profile/)).toBeInTheDocument();
    expect(screen.queryByTestId('error-code')).toBeNull();
  });
});

describe('audit details', () => {
  it('reads as key: value lines, long values clipped', () => {
    const lines = describeDetails({ role: 'ADMIN', keywords: ['x'.repeat(300)] });
    expect(lines?.[0]).toEqual({ key: 'role', value: 'ADMIN', full: 'ADMIN' });
    expect(lines?.[1].value.length).toBeLessThan(150);
    expect(lines?.[1].full.length).toBeGreaterThan(300);
    expect(describeDetails({})).toBeNull();
    expect(describeDetails(null)).toBeNull();
  });
});

describe('keywords', () => {
  it('drops blanks and repeats in any case', () => {
    expect(normalizeKeywords([' STOP', 'stop', '', 'Baja '])).toEqual(['STOP', 'Baja']);
  });
});
