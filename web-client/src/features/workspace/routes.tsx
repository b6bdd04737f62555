import { IconAddressBook, IconBuildingSkyscraper, IconHistory, IconKey, IconPlugConnected, IconSettings } from '@tabler/icons-react';
import type { FeatureRoute } from '../../app/feature';
import { ChannelDetailPage } from './channels/ChannelDetailPage';
import { ChannelsPage } from './channels/ChannelsPage';

// Admin screens need ADMIN: the API lets owners and admins manage channels, users, keys,
// settings and read the audit log. Tenants are the platform admin's.
export const routes: FeatureRoute[] = [
  { path: 'channels', element: <ChannelsPage />, nav: { label: 'Channels', icon: <IconPlugConnected size={18} />, group: 'Admin', role: 'ADMIN', order: 10 } },
  { path: 'channels/:id', element: <ChannelDetailPage /> },
];
void IconAddressBook;
void IconBuildingSkyscraper;
void IconHistory;
void IconKey;
void IconSettings;
