import { lazy } from 'react';
import { IconTemplate, IconWebhook } from '@tabler/icons-react';
import type { FeatureRoute } from '../../app/feature';

// Each screen is its own chunk, loaded when first opened.
const TemplateEditorPage = lazy(() => import('./templates/TemplateEditorPage').then((m) => ({ default: m.TemplateEditorPage })));
const TemplatesPage = lazy(() => import('./templates/TemplatesPage').then((m) => ({ default: m.TemplatesPage })));
const EndpointEditorPage = lazy(() => import('./webhooks/EndpointEditorPage').then((m) => ({ default: m.EndpointEditorPage })));
const EndpointPage = lazy(() => import('./webhooks/EndpointPage').then((m) => ({ default: m.EndpointPage })));
const WebhooksPage = lazy(() => import('./webhooks/WebhooksPage').then((m) => ({ default: m.WebhooksPage })));

export const routes: FeatureRoute[] = [
  {
    path: 'templates',
    element: <TemplatesPage />,
    nav: { label: 'Templates', icon: <IconTemplate size={18} />, group: 'Admin', role: 'ADMIN', order: 15 },
  },
  { path: 'templates/new', element: <TemplateEditorPage /> },
  { path: 'templates/:id', element: <TemplateEditorPage /> },
  {
    path: 'webhooks',
    element: <WebhooksPage />,
    nav: { label: 'Outgoing webhooks', icon: <IconWebhook size={18} />, group: 'Admin', role: 'ADMIN', order: 30 },
  },
  { path: 'webhooks/new', element: <EndpointEditorPage /> },
  { path: 'webhooks/:id', element: <EndpointPage /> },
  { path: 'webhooks/:id/edit', element: <EndpointEditorPage /> },
];
