import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CrmImportReportFragment } from '../../../gql/graphql';
import { renderWith } from '../../../test/render';
import { ImportReportView } from './ImportReportView';

const report: CrmImportReportFragment = {
  applied: false,
  created: 1,
  updated: 1,
  unchanged: 0,
  refused: 1,
  lines: [
    { line: 2, phoneNumber: '+34600000001', outcome: 'CREATE', contactId: null, fields: ['name', 'language'], problems: [] },
    { line: 3, phoneNumber: '+34600000002', outcome: 'UPDATE', contactId: 'k2', fields: ['attributes.tier'], problems: [] },
    {
      line: 4,
      phoneNumber: 'nope',
      outcome: 'REFUSED',
      contactId: null,
      fields: [],
      problems: [{ reason: 'INVALID_PHONE', column: 'phone', message: 'must be an E.164 number' }],
    },
  ],
};

describe('ImportReportView', () => {
  it('puts refused lines first with their reason and column, and the would-be totals', () => {
    renderWith(<ImportReportView report={report} />);
    const rows = within(screen.getByRole('table', { name: 'Import lines' })).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('4');
    expect(rows[1]).toHaveTextContent('INVALID_PHONE');
    expect(rows[1]).toHaveTextContent('phone: must be an E.164 number');
    expect(rows[2]).toHaveTextContent('name, language');
    expect(screen.getByText('Would create')).toBeInTheDocument();
  });
});
