import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWith } from '../../../test/render';
import { TemplateStatusBadge } from './TemplateStatusBadge';
import { emptyTemplate, nextPlaceholder, TemplateForm } from './TemplateForm';

describe('nextPlaceholder', () => {
  it('numbers after the highest positional variable', () => {
    expect(nextPlaceholder('Hello')).toBe('{{1}}');
    expect(nextPlaceholder('Hi {{1}}, order {{3}}')).toBe('{{4}}');
    expect(nextPlaceholder('Hi {{name}}')).toBe('{{1}}');
  });
});

// A whole form renders slowly on a busy machine.
describe('TemplateForm', { timeout: 20_000 }, () => {
  it('previews the body as it is typed, with the examples filled in', () => {
    renderWith(
      <TemplateForm
        initial={{ ...emptyTemplate, channelId: 'c1' }}
        editing={false}
        channels={[{ value: 'c1', label: 'Meta' }]}
        submitting={false}
        onSubmit={() => {}}
        onCancel={() => {}}
      />,
    );
    fireEvent.change(screen.getByRole('textbox', { name: 'Body' }), { target: { value: 'Hi {{1}}, order {{2}}' } });
    expect(screen.getByTestId('preview-body')).toHaveTextContent('Hi {{1}}, order {{2}}');
    fireEvent.change(screen.getByRole('textbox', { name: 'Example for {{2}}' }), { target: { value: 'A-1042' } });
    expect(screen.getByTestId('preview-body')).toHaveTextContent('Hi {{1}}, order A-1042');
    fireEvent.click(screen.getByRole('button', { name: 'Add variable' }));
    expect(screen.getByRole('textbox', { name: 'Body' })).toHaveValue('Hi {{1}}, order {{2}}{{3}}');
  });
});

describe('TemplateStatusBadge', () => {
  it('says why a rejected template was rejected', () => {
    renderWith(<TemplateStatusBadge status="REJECTED" rejectionReason="INVALID_FORMAT" />);
    expect(screen.getByTestId('template-status')).toHaveTextContent('REJECTED');
    expect(screen.getByText('INVALID_FORMAT')).toBeInTheDocument();
  });
});
