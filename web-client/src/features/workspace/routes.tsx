import { IconBuildingSkyscraper, IconHistory, IconKey, IconPlugConnected, IconSettings, IconUsers } from '@tabler/icons-react';
import type { FeatureRoute } from '../../app/feature';
import { ApiKeysPage } from './apiKeys/ApiKeysPage';
import { AuditPage } from './audit/AuditPage';
import { ChannelDetailPage } from './channels/ChannelDetailPage';
import { ChannelsPage } from './channels/ChannelsPage';
import { SettingsPage } from './settings/SettingsPage';
import { TenantsPage } from './tenants/TenantsPage';
import { UsersPage } from './users/UsersPage';

// The API lets owners and admins manage channels, members, keys and settings and read the
// audit log (agents only read channels and members): these screens start at ADMIN.
// Tenants are the platform admin's alone.
const icon = { size: 18 };
export const routes: FeatureRoute[] = [
  { path: 'channels', element: <ChannelsPage />, nav: { label: 'Channels', icon: <IconPlugConnected {...icon} />, group: 'Admin', role: 'ADMIN', order: 10 } },
  { path: 'channels/:id', element: <ChannelDetailPage /> },
  { path: 'users', element: <UsersPage />, nav: { label: 'Users', icon: <IconUsers {...icon} />, group: 'Admin', role: 'ADMIN', order: 20 } },
  { path: 'api-keys', element: <ApiKeysPage />, nav: { label: 'API keys', icon: <IconKey {...icon} />, group: 'Admin', role: 'ADMIN', order: 30 } },
  { path: 'settings', element: <SettingsPage />, nav: { label: 'Settings', icon: <IconSettings {...icon} />, group: 'Admin', role: 'ADMIN', order: 40 } },
  { path: 'audit', element: <AuditPage />, nav: { label: 'Audit log', icon: <IconHistory {...icon} />, group: 'Admin', role: 'ADMIN', order: 50 } },
  { path: 'tenants', element: <TenantsPage />, nav: { label: 'Tenants', icon: <IconBuildingSkyscraper {...icon} />, group: 'Platform', role: 'PLATFORM_ADMIN', order: 10 } },
];
