import { fileURLToPath } from 'node:url';
import { loadAssets, type Assets } from '../platform/ui/assets.ts';
import { createNunjucks } from '../platform/ui/nunjucks.ts';

const TEMPLATES = fileURLToPath(new URL('./templates/', import.meta.url));
const STATIC = fileURLToPath(new URL('./static/', import.meta.url));

/** One error in the error summary, linked to its field. */
export interface FieldError {
  field: string;
  text: string;
}

export interface Views {
  readonly assets: Assets;
  render(template: string, context: Record<string, unknown> & { title: string; errors?: FieldError[] }): string;
}

export function createViews(): Views {
  const assets = loadAssets(STATIC);
  const env = createNunjucks([TEMPLATES]);
  return {
    assets,
    render(template, context) {
      const errors = context.errors ?? [];
      return env.render(template, {
        ...context,
        assetPath: assets.prefix,
        // The error summary links each message to its field; the field shows it again beside itself.
        errors: errors.map((e) => ({ text: e.text, href: `#${e.field}` })),
        fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.text])),
      });
    },
  };
}
