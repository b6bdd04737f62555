import { IconAddressBook, IconChartLine, IconSpeakerphone } from '@tabler/icons-react';
import type { FeatureRoute } from '../../app/feature';
import { CampaignPage } from './campaigns/CampaignPage';
import { CampaignsPage } from './campaigns/CampaignsPage';
import { NewCampaignPage } from './campaigns/NewCampaignPage';
import { ContactPage } from './contacts/ContactPage';
import { ContactsPage } from './contacts/ContactsPage';
import { DashboardPage } from './dashboard/DashboardPage';

export const routes: FeatureRoute[] = [
  {
    path: 'dashboard',
    element: <DashboardPage />,
    // queueStats and the tenant-wide history are for owners and admins.
    nav: { label: 'Dashboard', icon: <IconChartLine size={18} />, group: 'Inbox', role: 'ADMIN', order: 0 },
  },
  {
    path: 'contacts',
    element: <ContactsPage />,
    nav: { label: 'Contacts', icon: <IconAddressBook size={18} />, group: 'Customers', role: 'AGENT', order: 10 },
  },
  { path: 'contacts/:id', element: <ContactPage /> },
  {
    path: 'campaigns',
    element: <CampaignsPage />,
    nav: { label: 'Campaigns', icon: <IconSpeakerphone size={18} />, group: 'Customers', role: 'ADMIN', order: 20 },
  },
  { path: 'campaigns/new', element: <NewCampaignPage /> },
  { path: 'campaigns/:id', element: <CampaignPage /> },
];
