import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWith } from '../../test/render';
import { TemplatePreview } from './TemplatePreview';

describe('TemplatePreview', () => {
  it('shows the filled body with its formatting, the header, footer and buttons', () => {
    renderWith(
      <TemplatePreview
        template={{
          body: 'Hi {{1}}, your order *{{2}}* ships.',
          headerText: 'Order update',
          footer: 'Reply STOP to opt out',
          quickReplies: ['Track it'],
        }}
        values={{ 1: 'Ana' }}
      />,
    );
    const preview = screen.getByTestId('template-preview');
    expect(preview).toHaveTextContent('Order update');
    expect(preview).toHaveTextContent('Hi Ana, your order {{2}} ships.');
    expect(preview.querySelector('strong')).toHaveTextContent('{{2}}');
    expect(preview).toHaveTextContent('Reply STOP to opt out');
    expect(screen.getByText('Track it')).toBeInTheDocument();
  });
});
