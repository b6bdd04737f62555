import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWith } from '../test/render';
import { TemplatePreview } from './TemplatePreview';
import { fillText, placeholderKeys } from './templateText';

describe('template placeholders', () => {
  it('lists each key once, in order, positional or named', () => {
    expect(placeholderKeys('Hi {{1}}, order {{2}} for {{1}}')).toEqual(['1', '2']);
    expect(placeholderKeys('Hello {{ first_name }}, code {{code}}')).toEqual(['first_name', 'code']);
    expect(placeholderKeys('No variables')).toEqual([]);
  });

  it('fills what it has and keeps the rest as placeholders', () => {
    expect(fillText('Hi {{1}}, order {{2}}', { '1': 'Ana' })).toBe('Hi Ana, order {{2}}');
  });
});

describe('TemplatePreview', () => {
  it('shows header, filled body, footer and buttons', () => {
    renderWith(
      <TemplatePreview
        headerText="Your order"
        body="Hi {{1}}, order {{2}} ships today."
        footer="Reply STOP to opt out"
        quickReplies={['Track', '']}
        examples={['Ana', 'A-1042']}
        values={{ '2': 'B-7' }}
      />,
    );
    expect(screen.getByTestId('preview-header')).toHaveTextContent('Your order');
    expect(screen.getByTestId('preview-body')).toHaveTextContent('Hi Ana, order B-7 ships today.');
    expect(screen.getByTestId('preview-footer')).toHaveTextContent('Reply STOP to opt out');
    expect(screen.getAllByTestId('preview-button')).toHaveLength(1);
    expect(screen.getByText('Track')).toBeInTheDocument();
  });

  it('invites typing when the body is empty', () => {
    renderWith(<TemplatePreview body="" />);
    expect(screen.getByText('The body appears here as you type it.')).toBeInTheDocument();
  });
});
