import { lazy } from 'react';
import { IconAddressBook, IconChartLine, IconSpeakerphone } from '@tabler/icons-react';
import type { FeatureRoute } from '../../app/feature';

// Each screen is its own chunk, loaded when first opened.
const CampaignPage = lazy(() => import('./campaigns/CampaignPage').then((m) => ({ default: m.CampaignPage })));
const CampaignsPage = lazy(() => import('./campaigns/CampaignsPage').then((m) => ({ default: m.CampaignsPage })));
const NewCampaignPage = lazy(() => import('./campaigns/NewCampaignPage').then((m) => ({ default: m.NewCampaignPage })));
const ContactPage = lazy(() => import('./contacts/ContactPage').then((m) => ({ default: m.ContactPage })));
const ContactsPage = lazy(() => import('./contacts/ContactsPage').then((m) => ({ default: m.ContactsPage })));
const DashboardPage = lazy(() => import('./dashboard/DashboardPage').then((m) => ({ default: m.DashboardPage })));

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
