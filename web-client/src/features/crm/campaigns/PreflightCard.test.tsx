import { screen, within } from '@testing-library/react';
import type { Client, Operation } from 'urql';
import { describe, expect, it } from 'vitest';
import { fromValue } from 'wonka';
import type { CrmPreviewCampaignQuery } from '../../../gql/graphql';
import { renderWith } from '../../../test/render';
import { PreflightCard } from './PreflightCard';

const preview: CrmPreviewCampaignQuery = {
  previewCampaign: {
    total: 20,
    sendable: 17,
    skipped: 3,
    skippedByReason: [
      { reason: 'OPTED_OUT', count: 1 },
      { reason: 'INVALID_NUMBER', count: 2 },
    ],
    outsideWindow: 17,
  },
};

/** A client stub answering every query with `result` at once. */
function answering(result: { data: unknown }): Partial<Client> {
  return { executeQuery: ((operation: Operation) => fromValue({ operation, stale: false, hasNext: false, ...result })) as Client['executeQuery'] };
}

describe('PreflightCard', () => {
  it('counts who will get the template and who is skipped, by reason', async () => {
    renderWith(<PreflightCard campaignId="c1" />, answering({ data: preview }));
    expect(await screen.findByRole('group', { name: 'Will send' })).toHaveTextContent('17');
    expect(screen.getByRole('group', { name: 'Skipped' })).toHaveTextContent('3');
    expect(within(screen.getByRole('group', { name: 'Opted out' })).getByText('1')).toBeInTheDocument();
    expect(within(screen.getByRole('group', { name: 'Invalid number' })).getByText('2')).toBeInTheDocument();
    expect(screen.getByText(/17 of the sendable recipients have not written/)).toBeInTheDocument();
  });
});
