import {
  ActionIcon,
  AppShell,
  Badge,
  Burger,
  Center,
  Loader,
  Group,
  Menu,
  NavLink,
  ScrollArea,
  Text,
  Tooltip,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconLogout, IconMoon, IconSun, IconUserCircle } from '@tabler/icons-react';
import { Suspense, useSyncExternalStore } from 'react';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router';
import { sessions } from '../lib/auth';
import { connection } from '../lib/client';
import { hasRole, useSession } from '../lib/session';
import type { NavGroup } from './feature';
import { PresenceToggle } from './PresenceToggle';
import { featureRoutes } from './routes';

const GROUPS: NavGroup[] = ['Inbox', 'Customers', 'Admin', 'Platform'];

function ConnectionBadge() {
  const state = useSyncExternalStore(
    (listener) => connection.subscribe(listener),
    () => connection.state,
  );
  if (state !== 'reconnecting') return null;
  return (
    <Badge color="orange" variant="light" data-testid="reconnecting" role="status">
      Reconnecting…
    </Badge>
  );
}

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light');
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} mode`}>
      <ActionIcon variant="subtle" aria-label={`Switch to ${next} mode`} onClick={() => setColorScheme(next)}>
        {computed === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

export function Shell() {
  const session = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const visible = featureRoutes.filter((r) => r.nav && hasRole(session, r.nav.role));
  const isAgent = session.user.role !== 'PLATFORM_ADMIN';
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 230, breakpoint: 'md', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="md" size="sm" aria-label="Toggle navigation" />
            <Text fw={700} size="lg">
              Switchboard
            </Text>
            {session.tenant && (
              <Text size="sm" c="dimmed" visibleFrom="sm">
                {session.tenant.name}
              </Text>
            )}
            <ConnectionBadge />
          </Group>
          <Group gap="xs" wrap="nowrap">
            {isAgent && <PresenceToggle />}
            <ColorSchemeToggle />
            <Menu position="bottom-end">
              <Menu.Target>
                <ActionIcon variant="subtle" aria-label="Account">
                  <IconUserCircle size={20} />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>
                  {session.user.email} · {session.user.role.toLowerCase().replace('_', ' ')}
                </Menu.Label>
                <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => void sessions.logout()}>
                  Sign out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <ScrollArea>
          {GROUPS.map((group) => {
            const entries = visible
              .filter((r) => r.nav?.group === group)
              .sort((a, b) => (a.nav?.order ?? 0) - (b.nav?.order ?? 0));
            if (entries.length === 0) return null;
            return (
              <div key={group}>
                <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="sm" pb={4}>
                  {group}
                </Text>
                {entries.map((r) => (
                  <NavLink
                    key={r.path}
                    component={RouterLink}
                    to={`/${r.path}`}
                    label={r.nav?.label}
                    leftSection={r.nav?.icon}
                    active={location.pathname === `/${r.path}` || location.pathname.startsWith(`/${r.path}/`)}
                    onClick={close}
                  />
                ))}
              </div>
            );
          })}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense
          fallback={
            <Center p="xl">
              <Loader size="sm" aria-label="Loading the screen" />
            </Center>
          }
        >
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
