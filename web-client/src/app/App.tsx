import { Center, Loader } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { Provider } from 'urql';
import { EmptyState } from '../components/QueryState';
import { sessions } from '../lib/auth';
import { createApiClient } from '../lib/client';
import { hasRole, useMaybeSession } from '../lib/session';
import { Login } from './Login';
import { featureRoutes } from './routes';
import { Shell } from './Shell';

/** The first screen a role lands on. */
function home(role: string): string {
  if (role === 'PLATFORM_ADMIN') return '/tenants';
  return '/inbox';
}

export function App() {
  const session = useMaybeSession();
  const [restoring, setRestoring] = useState(() => !session && sessions.hasRefreshToken());
  // One client per signed-in user (a new sign-in starts from an empty cache), and none before
  // sign-in: its socket opens at once.
  const userId = session?.user.id;
  const client = useMemo(() => (userId ? createApiClient() : null), [userId]);

  useEffect(() => {
    if (!restoring) return;
    void sessions.refresh().finally(() => setRestoring(false));
  }, [restoring]);

  if (restoring) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Restoring your session" />
      </Center>
    );
  }
  if (!session || !client) return <Login />;
  const allowed = featureRoutes.filter((r) => !r.nav || hasRole(session, r.nav.role));
  return (
    <Provider value={client}>
      <BrowserRouter>
        <Routes>
          <Route element={<Shell />}>
            <Route index element={<Navigate to={home(session.user.role)} replace />} />
            {allowed.map((r) => (
              <Route key={r.path} path={r.path} element={r.element} />
            ))}
            <Route
              path="*"
              element={<EmptyState title="This page does not exist" hint="Pick a screen from the menu on the left." />}
            />
          </Route>
        </Routes>
      </BrowserRouter>
    </Provider>
  );
}
