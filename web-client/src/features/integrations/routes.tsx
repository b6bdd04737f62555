import { IconTemplate } from '@tabler/icons-react';
import type { FeatureRoute } from '../../app/feature';
import { TemplateEditorPage } from './templates/TemplateEditorPage';
import { TemplatesPage } from './templates/TemplatesPage';

export const routes: FeatureRoute[] = [
  {
    path: 'templates',
    element: <TemplatesPage />,
    nav: { label: 'Templates', icon: <IconTemplate size={18} />, group: 'Admin', role: 'ADMIN', order: 40 },
  },
  { path: 'templates/new', element: <TemplateEditorPage /> },
  { path: 'templates/:id', element: <TemplateEditorPage /> },
];
