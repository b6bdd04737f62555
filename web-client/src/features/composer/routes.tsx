import type { FeatureRoute } from '../../app/feature';
import { ComposerDevPage } from './ComposerDevPage';

// The composer lives inside the inbox's conversation view; this page (no menu entry) shows it
// on its own for one conversation.
export const routes: FeatureRoute[] = [{ path: 'dev/composer/:conversationId', element: <ComposerDevPage /> }];
