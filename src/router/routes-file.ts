import { validateBackend, validateRoute, type BackendRecord, type RouteRecord } from './routes.ts';

export interface LineError {
  line: number;
  field: string;
  message: string;
}

export interface ParsedRoutesFile {
  backends: BackendRecord[];
  routes: RouteRecord[];
  errors: LineError[];
}

/**
 * Reads a routes file: JSON Lines, each line a backend (`backend_id` and
 * `backend_url` only) or a route. Blank lines are allowed. Every line is
 * checked, so one run reports every problem with its line number and field.
 */
export function parseRoutesFile(text: string): ParsedRoutesFile {
  const result: ParsedRoutesFile = { backends: [], routes: [], errors: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      result.errors.push({ line, field: '(line)', message: `is not valid JSON: ${(err as Error).message}` });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      result.errors.push({ line, field: '(line)', message: 'must be a JSON object' });
      continue;
    }
    if ('backend_url' in value && !('incoming_path' in value)) {
      const { backend, errors } = validateBackend(value);
      if (backend) result.backends.push(backend);
      for (const e of errors) result.errors.push({ line, ...e });
    } else {
      const { route, errors } = validateRoute(value);
      if (route) result.routes.push(route);
      for (const e of errors) result.errors.push({ line, ...e });
    }
  }
  return result;
}
