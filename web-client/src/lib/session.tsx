import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { Role } from '../gql/graphql';
import { sessions, type Session } from './auth';

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const session = useSyncExternalStore(
    (listener) => sessions.subscribe(listener),
    () => sessions.current(),
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The signed-in session; the app only renders its screens inside one. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a session');
  return session;
}

export function useMaybeSession(): Session | null {
  return useContext(SessionContext);
}

const RANK: Record<Role, number> = { AGENT: 1, ADMIN: 2, OWNER: 3, PLATFORM_ADMIN: 4 };

/** Whether the viewer's role is at least `role` (platform admins hold no tenant role). */
export function hasRole(session: Session, role: Role): boolean {
  if (role === 'PLATFORM_ADMIN') return session.user.role === 'PLATFORM_ADMIN';
  if (session.user.role === 'PLATFORM_ADMIN') return false;
  return RANK[session.user.role] >= RANK[role];
}
