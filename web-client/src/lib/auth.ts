// The session: an access token in memory and the single-use refresh token in localStorage,
// so a reload keeps the session. The access token is renewed a minute before it expires
// (and when the API answers UNAUTHENTICATED); every listener hears of each change.

import { graphql } from '../gql';
import type { AuthFieldsFragment } from '../gql/graphql';
import { plainRequest } from './request';

export const AuthFields = graphql(`
  fragment AuthFields on AuthPayload {
    accessToken
    expiresIn
    refreshToken
    user {
      id
      email
      name
      role
    }
    tenant {
      id
      name
      settings {
        timeZone
      }
    }
  }
`);

const LoginMutation = graphql(`
  mutation Login($email: String!, $password: String!, $tenantId: ID) {
    login(email: $email, password: $password, tenantId: $tenantId) {
      ...AuthFields
    }
  }
`);

const RefreshMutation = graphql(`
  mutation Refresh($refreshToken: String!) {
    refresh(refreshToken: $refreshToken) {
      ...AuthFields
    }
  }
`);

const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

export type Session = {
  accessToken: string;
  expiresAt: number;
  user: AuthFieldsFragment['user'];
  tenant: AuthFieldsFragment['tenant'];
};

const REFRESH_KEY = 'switchboard.refreshToken';
const EARLY_MS = 60_000;

type Listener = (session: Session | null) => void;

class SessionStore {
  private session: Session | null = null;
  private listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<Session | null> | null = null;

  current(): Session | null {
    return this.session;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  hasRefreshToken(): boolean {
    return Boolean(localStorage.getItem(REFRESH_KEY));
  }

  async login(email: string, password: string, tenantId?: string): Promise<Session> {
    const data = await plainRequest(LoginMutation, { email, password, tenantId: tenantId || null });
    return this.adopt(data.login);
  }

  /** Trades the stored refresh token for new tokens; null when there is none or it failed. */
  refresh(): Promise<Session | null> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  async logout(): Promise<void> {
    const token = this.session?.accessToken;
    this.clear();
    if (token) {
      try {
        await plainRequest(LogoutMutation, {}, token);
      } catch {
        // The tokens are forgotten here either way.
      }
    }
  }

  private async doRefresh(): Promise<Session | null> {
    const refreshToken = localStorage.getItem(REFRESH_KEY);
    if (!refreshToken) return null;
    try {
      const data = await plainRequest(RefreshMutation, { refreshToken });
      return this.adopt(data.refresh);
    } catch {
      this.clear();
      return null;
    }
  }

  private adopt(payload: AuthFieldsFragment): Session {
    localStorage.setItem(REFRESH_KEY, payload.refreshToken);
    const session: Session = {
      accessToken: payload.accessToken,
      expiresAt: Date.now() + payload.expiresIn * 1000,
      user: payload.user,
      tenant: payload.tenant,
    };
    this.session = session;
    clearTimeout(this.timer);
    const due = Math.max(5_000, payload.expiresIn * 1000 - EARLY_MS);
    this.timer = setTimeout(() => void this.refresh(), due);
    this.emit();
    return session;
  }

  private clear() {
    clearTimeout(this.timer);
    localStorage.removeItem(REFRESH_KEY);
    this.session = null;
    this.emit();
  }

  private emit() {
    for (const listener of this.listeners) listener(this.session);
  }
}

export const sessions = new SessionStore();
