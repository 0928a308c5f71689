import { fileURLToPath } from 'node:url';
import { loadAssets as loadUiAssets, type Assets } from '../platform/ui/assets.ts';

export type { Assets };

const OWN = fileURLToPath(new URL('./static/', import.meta.url));

/** govuk-frontend's assets and the frontend's own `portico.css` and `portico.js`. */
export const loadAssets = (): Assets => loadUiAssets(OWN);
