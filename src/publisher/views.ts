import { fileURLToPath } from 'node:url';
import { createNunjucks } from '../platform/ui/nunjucks.ts';

const TEMPLATES = fileURLToPath(new URL('./templates/', import.meta.url));

export interface Views {
  render(template: string, context: Record<string, unknown>): string;
}

/** The editors' app's templates over govuk-frontend's; what editors typed is escaped, rendered Markdown alone is marked safe. */
export function createViews(assetPath: string): Views {
  const env = createNunjucks([TEMPLATES]);
  return { render: (template, context) => env.render(template, { ...context, assetPath }) };
}
