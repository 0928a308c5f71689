import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Pool } from 'undici';
import { common, httpCommon } from './nginx.ts';

/**
 * The rendered-page setups of the frontend benchmark: nginx serving the
 * saved pages, and wrk's request script, which sends each setup the paths it
 * answers the guide at.
 */

/** nginx with 1 worker serving each saved page at its own path (`<path>.html` under `root`), with the frontend's headers. */
export function savedPagesConfig(dir: string, root: string, port: number): string {
  return `${common(dir, 'pages')}http {
${httpCommon(dir, 'pages')}  types { }
  default_type "text/html; charset=utf-8";
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / {
      add_header Cache-Control "public, max-age=300";
      add_header X-Content-Type-Options "nosniff";
      try_files $uri.html =404;
    }
  }
}
`;
}

/** Writes each page where savedPagesConfig serves it from. */
export function savePages(root: string, pages: Map<string, string>): void {
  for (const [path, html] of pages) {
    const file = join(root, `${path}.html`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, html);
  }
  // nginx's worker runs as an unprivileged user.
  chmodSync(root, 0o755);
}

/**
 * wrk's request script: each setup is told apart by its port, and gets its
 * own list of paths in turn (the guide's pages, one after the other).
 */
export function writePagesScript(dir: string, pathsByPort: Map<number, string[]>): string {
  const file = join(dir, 'pages.lua');
  const entries = [...pathsByPort].map(([port, paths]) => `  ["${port}"] = { ${paths.map((p) => JSON.stringify(p)).join(', ')} },`);
  writeFileSync(
    file,
    `-- The paths of each setup, by port, requested in turn.
local paths = {
${entries.join('\n')}
}
local list = nil
local i = 0
request = function()
  if list == nil then list = paths[tostring(wrk.port)] end
  i = i % #list + 1
  return wrk.format("GET", list[i])
end
`,
  );
  return file;
}

/** GET `path` on 127.0.0.1:`port`: the status and body. */
export async function fetchText(port: number, path: string): Promise<{ status: number; body: string }> {
  const pool = new Pool(`http://127.0.0.1:${port}`);
  try {
    const res = await pool.request({ method: 'GET', path });
    return { status: res.statusCode, body: await res.body.text() };
  } finally {
    await pool.close();
  }
}
