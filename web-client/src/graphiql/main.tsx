// The GraphiQL explorer served at GET /graphql. Everything it loads comes from this server:
// no CDN, no external fonts, so it works on a machine without Internet access.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/style.css';
import './graphiql.css';
import { DEFAULT_HEADERS, DEFAULT_QUERY } from './defaults';

/** `/graphql/ws` on this page's host, as ws: or wss: to match the page. */
function subscriptionUrl(): string {
  const url = new URL('/graphql/ws', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

// Queries and mutations go over HTTP; subscriptions over graphql-transport-ws (graphql-ws),
// whose connection_init carries the Headers tab, and so the Authorization header.
const fetcher = createGraphiQLFetcher({
  url: '/graphql',
  subscriptionUrl: subscriptionUrl(),
});

const root = document.getElementById('graphiql');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <GraphiQL
        fetcher={fetcher}
        defaultQuery={DEFAULT_QUERY}
        defaultHeaders={DEFAULT_HEADERS}
        defaultEditorToolsVisibility="headers"
      />
    </StrictMode>,
  );
}
