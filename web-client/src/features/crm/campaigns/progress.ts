// A campaign's counters as the sections of one progress bar, each recipient counted once by
// where it stands now (`sent` includes delivered and read; `delivered` includes read).

import type { CampaignState, CrmCampaignFragment, SkipReason } from '../../../gql/graphql';

type Counts = CrmCampaignFragment['counts'];

export type Section = { key: string; label: string; value: number; color: string };

export function progressSections(c: Counts): Section[] {
  const sections: Section[] = [
    { key: 'read', label: 'Read', value: c.read, color: 'teal' },
    { key: 'delivered', label: 'Delivered', value: c.delivered - c.read, color: 'cyan' },
    { key: 'sent', label: 'Sent', value: c.sent - c.delivered, color: 'blue' },
    { key: 'queued', label: 'Queued', value: c.queued, color: 'indigo.3' },
    { key: 'failed', label: 'Failed', value: c.failed, color: 'red' },
    { key: 'skipped', label: 'Skipped', value: c.skipped, color: 'gray' },
  ];
  return sections.filter((s) => s.value > 0);
}

/** How much of the campaign is settled: every recipient no longer pending or queued. */
export function settledPercent(c: Counts): number {
  if (c.total === 0) return 0;
  return Math.round(((c.total - c.pending - c.queued) / c.total) * 100);
}

export function percent(part: number, total: number): number {
  return total === 0 ? 0 : (part / total) * 100;
}

export const STATE_COLOR: Record<CampaignState, string> = {
  DRAFT: 'gray',
  SCHEDULED: 'violet',
  RUNNING: 'blue',
  PAUSED: 'yellow',
  COMPLETED: 'teal',
  CANCELLED: 'red',
};

export const SKIP_LABEL: Record<SkipReason, string> = {
  INVALID_NUMBER: 'Invalid number',
  DUPLICATE: 'Duplicate',
  OPTED_OUT: 'Opted out',
  OPTED_OUT_MARKETING: 'Stopped marketing',
  MISSING_VARIABLE: 'Missing variable',
  INVALID_VARIABLE: 'Invalid variable',
  TEMPLATE_NOT_APPROVED: 'Template not approved',
  CANCELLED: 'Cancelled',
};

export function isLive(state: CampaignState): boolean {
  return state === 'RUNNING' || state === 'SCHEDULED' || state === 'PAUSED';
}
