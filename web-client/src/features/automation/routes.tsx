import { IconAddressBook, IconMessageBolt, IconRoute, IconStack2, IconTag } from '@tabler/icons-react';
import type { FeatureRoute } from '../../app/feature';
import { ContactAttributesPage } from './attributes/ContactAttributesPage';
import { LabelsPage } from './labels/LabelsPage';
import { QueuePage } from './queues/QueuePage';
import { QueuesPage } from './queues/QueuesPage';
import { QuickRepliesPage } from './quickReplies/QuickRepliesPage';
import { RoutingPage } from './routing/RoutingPage';

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
