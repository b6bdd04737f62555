import { lazy } from 'react';
import { IconAddressBook, IconMessageBolt, IconRoute, IconStack2, IconTag } from '@tabler/icons-react';
import type { FeatureRoute } from '../../app/feature';

// Each screen is its own chunk, loaded when first opened.
const ContactAttributesPage = lazy(() => import('./attributes/ContactAttributesPage').then((m) => ({ default: m.ContactAttributesPage })));
const LabelsPage = lazy(() => import('./labels/LabelsPage').then((m) => ({ default: m.LabelsPage })));
const QueuePage = lazy(() => import('./queues/QueuePage').then((m) => ({ default: m.QueuePage })));
const QueuesPage = lazy(() => import('./queues/QueuesPage').then((m) => ({ default: m.QueuesPage })));
const QuickRepliesPage = lazy(() => import('./quickReplies/QuickRepliesPage').then((m) => ({ default: m.QuickRepliesPage })));
const RoutingPage = lazy(() => import('./routing/RoutingPage').then((m) => ({ default: m.RoutingPage })));

// Owners and admins define these (the API refuses agents), so the nav shows them from ADMIN.
export const routes: FeatureRoute[] = [
  { path: 'queues', element: <QueuesPage />, nav: { label: 'Queues', icon: <IconStack2 size={18} />, group: 'Admin', role: 'ADMIN', order: 20 } },
  { path: 'queues/:id', element: <QueuePage /> },
  { path: 'routing', element: <RoutingPage />, nav: { label: 'Routing rules', icon: <IconRoute size={18} />, group: 'Admin', role: 'ADMIN', order: 21 } },
  { path: 'labels', element: <LabelsPage />, nav: { label: 'Labels', icon: <IconTag size={18} />, group: 'Admin', role: 'ADMIN', order: 22 } },
  {
    path: 'contact-attributes',
    element: <ContactAttributesPage />,
    nav: { label: 'Contact attributes', icon: <IconAddressBook size={18} />, group: 'Admin', role: 'ADMIN', order: 23 },
  },
  {
    path: 'quick-replies',
    element: <QuickRepliesPage />,
    nav: { label: 'Quick replies', icon: <IconMessageBolt size={18} />, group: 'Admin', role: 'ADMIN', order: 24 },
  },
];
