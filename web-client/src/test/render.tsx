// Renders a component inside the providers the app gives it: Mantine's theme, a router, and
// an urql client whose answers the test supplies.

import { MantineProvider } from '@mantine/core';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router';
import { Provider, type Client } from 'urql';
import { never } from 'wonka';
import { theme } from '../app/theme';

export function renderWith(ui: ReactElement, client?: Partial<Client>, route = '/') {
  const stub = {
    executeQuery: () => never,
    executeMutation: () => never,
    executeSubscription: () => never,
    ...client,
  } as unknown as Client;
  return render(
    <MantineProvider theme={theme}>
      <Provider value={stub}>
        <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
      </Provider>
    </MantineProvider>,
  );
}
