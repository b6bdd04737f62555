import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CrmCampaignFragment } from '../../../gql/graphql';
import { renderWith } from '../../../test/render';
import { CampaignProgressBar } from './CampaignProgressBar';
import { progressSections, settledPercent } from './progress';

const counts: CrmCampaignFragment['counts'] = {
  total: 20,
  pending: 4,
  queued: 2,
  sent: 10,
  delivered: 7,
  read: 3,
  failed: 1,
  skipped: 3,
  skippedByReason: [{ reason: 'OPTED_OUT', count: 3 }],
};

const campaign = { id: 'c1', name: 'Spring sale', counts } as CrmCampaignFragment;

describe('progressSections', () => {
  it('counts each recipient once, by where it stands now', () => {
    expect(progressSections(counts).map((s) => [s.key, s.value])).toEqual([
      ['read', 3],
      ['delivered', 4],
      ['sent', 3],
      ['queued', 2],
      ['failed', 1],
      ['skipped', 3],
    ]);
    expect(settledPercent(counts)).toBe(70);
  });
});

describe('CampaignProgressBar', () => {
  it('names its progress and shows the counts in its legend', () => {
    renderWith(<CampaignProgressBar campaign={campaign} legend />);
    expect(screen.getByRole('group', { name: 'Spring sale: 70% done' })).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Read: 3' })).toBeInTheDocument();
    expect(screen.getByTestId('count-sent')).toHaveTextContent('10');
    expect(screen.getByTestId('count-waiting')).toHaveTextContent('6');
  });
});
