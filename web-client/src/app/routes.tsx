// Every screen, gathered from the features' own route lists.

import type { FeatureRoute } from './feature';
import { routes as automation } from '../features/automation/routes';
import { routes as composer } from '../features/composer/routes';
import { routes as crm } from '../features/crm/routes';
import { routes as inbox } from '../features/inbox/routes';
import { routes as integrations } from '../features/integrations/routes';
import { routes as workspace } from '../features/workspace/routes';

export const featureRoutes: FeatureRoute[] = [...inbox, ...crm, ...automation, ...integrations, ...workspace, ...composer];
