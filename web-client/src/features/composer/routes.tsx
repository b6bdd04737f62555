import { lazy } from 'react';
import type { FeatureRoute } from '../../app/feature';

// Each screen is its own chunk, loaded when first opened.
const ComposerDevPage = lazy(() => import('./ComposerDevPage').then((m) => ({ default: m.ComposerDevPage })));

// The composer lives inside the inbox's conversation view; this page (no menu entry) shows it
// on its own for one conversation.
export const routes: FeatureRoute[] = [{ path: 'dev/composer/:conversationId', element: <ComposerDevPage /> }];
