// The GraphQL client: queries and mutations over POST /graphql with the session's token
// (renewed when it is about to expire or the API answers UNAUTHENTICATED), subscriptions
// over /graphql/ws (graphql-transport-ws). A lost socket reconnects by itself; listeners of
// `connection` hear when it drops and when it is back, so screens can catch up.

import { authExchange } from '@urql/exchange-auth';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';
import { sessions } from './auth';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

type ConnectionListener = (state: ConnectionState, reconnected: boolean) => void;

class Connection {
  state: ConnectionState = 'connecting';
  private everConnected = false;
  private listeners = new Set<ConnectionListener>();

  subscribe(listener: ConnectionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(next: ConnectionState) {
    if (next === this.state) return;
    const reconnected = next === 'connected' && this.everConnected;
    if (next === 'connected') this.everConnected = true;
    this.state = next;
    for (const listener of this.listeners) listener(next, reconnected);
  }

  dropped() {
    this.set(this.everConnected ? 'reconnecting' : 'connecting');
  }
}

export const connection = new Connection();

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/graphql/ws`;
}

async function freshToken(): Promise<string | null> {
  const session = sessions.current();
  if (session && session.expiresAt - Date.now() > 10_000) return session.accessToken;
  const renewed = await sessions.refresh();
  return renewed?.accessToken ?? null;
}

function createSocket(): WsClient {
  let socket: WebSocket | null = null;
  const ws = createWsClient({
    url: wsUrl(),
    // Open for the whole session, subscriptions or not: an open socket is what keeps an
    // agent's presence ONLINE.
    lazy: false,
    keepAlive: 15_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      const ms = Math.min(10_000, 500 * 2 ** retries) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
    connectionParams: async () => {
      const token = await freshToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    on: {
      connected: (s) => {
        socket = s as WebSocket;
        connection.set('connected');
      },
      closed: (event) => {
        socket = null;
        // A close of our own (sign-out: 1000) is not a lost connection.
        const code = (event as CloseEvent | undefined)?.code;
        if (code === 1000) connection.set('connecting');
        else connection.dropped();
      },
      error: () => connection.dropped(),
    },
  });
  // A renewed access token reaches the open socket in a ping, so its subscriptions live on.
  sessions.subscribe((session) => {
    if (!session) {
      void ws.dispose();
      return;
    }
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: 'ping', payload: { authorization: `Bearer ${session.accessToken}` } }));
    }
  });
  return ws;
}

function isUnauthenticated(error: { graphQLErrors: { extensions?: Record<string, unknown> }[]; response?: { status?: number } }) {
  return (
    error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') || error.response?.status === 401
  );
}

export function createApiClient(): Client {
  const ws = createSocket();
  return new Client({
    url: '/graphql',
    requestPolicy: 'cache-and-network',
    preferGetMethod: false,
    exchanges: [
      cacheExchange,
      authExchange(async (utils) => ({
        addAuthToOperation(operation) {
          const session = sessions.current();
          if (!session) return operation;
          return utils.appendHeaders(operation, { Authorization: `Bearer ${session.accessToken}` });
        },
        willAuthError() {
          const session = sessions.current();
          return !session || session.expiresAt - Date.now() < 10_000;
        },
        didAuthError: (error) => isUnauthenticated(error),
        async refreshAuth() {
          await sessions.refresh();
        },
      })),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}
