import { screen } from '@testing-library/react';
import { CombinedError } from 'urql';
import { describe, expect, it } from 'vitest';
import { renderWith } from '../test/render';
import { ErrorAlert } from './ErrorAlert';
import { QueryState } from './QueryState';

describe('ErrorAlert', () => {
  it("shows the API's message and its code", () => {
    const error = new CombinedError({
      graphQLErrors: [{ message: 'No channel with that id', extensions: { code: 'NOT_FOUND' } }],
    });
    renderWith(<ErrorAlert error={error} />);
    expect(screen.getByRole('alert')).toHaveTextContent('No channel with that id');
    expect(screen.getByTestId('error-code')).toHaveTextContent('NOT_FOUND');
  });

  it('names a network failure', () => {
    renderWith(<ErrorAlert error={new CombinedError({ networkError: new Error('Failed to fetch') })} />);
    expect(screen.getByTestId('error-code')).toHaveTextContent('NETWORK');
  });
});

describe('QueryState', () => {
  it('says what to do next when there is nothing', () => {
    renderWith(
      <QueryState fetching={false} hasData empty emptyTitle="No channels yet" emptyHint="Connect a number to start.">
        <p>list</p>
      </QueryState>,
    );
    expect(screen.getByText('No channels yet')).toBeInTheDocument();
    expect(screen.getByText('Connect a number to start.')).toBeInTheDocument();
    expect(screen.queryByText('list')).toBeNull();
  });

  it('shows a loader before the first answer', () => {
    renderWith(
      <QueryState fetching hasData={false}>
        <p>list</p>
      </QueryState>,
    );
    expect(screen.getByLabelText('Loading')).toBeInTheDocument();
  });
});
