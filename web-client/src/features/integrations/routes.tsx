import { IconTemplate, IconWebhook } from '@tabler/icons-react';
import type { FeatureRoute } from '../../app/feature';
import { TemplateEditorPage } from './templates/TemplateEditorPage';
import { TemplatesPage } from './templates/TemplatesPage';
import { EndpointEditorPage } from './webhooks/EndpointEditorPage';
import { EndpointPage } from './webhooks/EndpointPage';
import { WebhooksPage } from './webhooks/WebhooksPage';

export const routes: FeatureRoute[] = [
  {
    path: 'templates',
    element: <TemplatesPage />,
    nav: { label: 'Templates', icon: <IconTemplate size={18} />, group: 'Admin', role: 'ADMIN', order: 40 },
  },
  { path: 'templates/new', element: <TemplateEditorPage /> },
  { path: 'templates/:id', element: <TemplateEditorPage /> },
  {
    path: 'webhooks',
    element: <WebhooksPage />,
    nav: { label: 'Outgoing webhooks', icon: <IconWebhook size={18} />, group: 'Admin', role: 'ADMIN', order: 50 },
  },
  { path: 'webhooks/new', element: <EndpointEditorPage /> },
  { path: 'webhooks/:id', element: <EndpointPage /> },
  { path: 'webhooks/:id/edit', element: <EndpointEditorPage /> },
];
