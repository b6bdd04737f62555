import { screen, within } from '@testing-library/react';
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

function answering(result: { data: unknown }) {
  return { executeQuery: (operation: unknown) => fromValue({ operation, stale: false, hasNext: false, ...result }) };
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
