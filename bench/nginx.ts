import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnPinned, waitForPort } from './procs.ts';
import { exactPath, GONE_PATH, prefixPath, REDIRECT_PATH, REDIRECT_TO } from './route-table.ts';

/**
 * nginx instances for the benchmark: each runs from its own config in a temp
 * directory, in the foreground (`daemon off`) with its pid file, logs and
 * temp paths there too, so nothing touches the system nginx or port 80.
 */

export const PAGE_BYTES = 2048;

/** The fixed HTML page the backend serves for every path. */
export function pageHtml(): string {
  const head = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Benchmark page</title></head><body>\n<p>';
  const tail = '</p>\n</body></html>\n';
  return head + 'x'.repeat(PAGE_BYTES - head.length - tail.length) + tail;
}

/** The settings shared by every instance: one worker, no access log, local temp paths. */
export function common(dir: string, name: string): string {
  mkdirSync(join(dir, `${name}-tmp`), { recursive: true });
  return `worker_processes 1;
daemon off;
pid ${join(dir, `${name}.pid`)};
error_log ${join(dir, `${name}-error.log`)} warn;
events { worker_connections 4096; }
`;
}

/** The `http` block's share of them, indented for it. */
export function httpCommon(dir: string, name: string): string {
  const tmp = join(dir, `${name}-tmp`);
  return `  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 65s;
  client_body_temp_path ${tmp}/client;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
`;
}

/**
 * A static origin: one page (the 2048-byte one unless given) for every path,
 * cacheable for an hour, as the live router would pass a page on.
 */
export function backendConfig(dir: string, port: number, html = pageHtml(), name = 'backend'): string {
  const www = join(dir, 'www');
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, 'page.html'), html);
  return `${common(dir, name)}http {
${httpCommon(dir, name)}  types { }
  default_type "text/html; charset=utf-8";
  server {
    listen 127.0.0.1:${port};
    root ${www};
    location / {
      add_header Cache-Control "public, max-age=3600";
      try_files /page.html =404;
    }
  }
}
`;
}

/**
 * The peer: `size` generated routes as `location =` (exact) and `location ^~`
 * (prefix) rules proxying to the backend over pooled keep-alive connections,
 * plus `return 301` and `return 410` for the redirect and gone routes.
 */
export function proxyConfig(dir: string, port: number, backendPort: number, size: number): string {
  const locations: string[] = [];
  for (let i = 0; i < size; i++) {
    locations.push(
      i % 2 === 0
        ? `    location = ${exactPath(i)} { proxy_pass http://backend; }`
        : `    location ^~ ${prefixPath(i)}/ { proxy_pass http://backend; }`,
    );
  }
  return `${common(dir, 'proxy')}http {
${httpCommon(dir, 'proxy')}  upstream backend {
    server 127.0.0.1:${backendPort};
    keepalive 64;
  }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  server {
    listen 127.0.0.1:${port};
${locations.join('\n')}
    location = ${REDIRECT_PATH} { return 301 ${REDIRECT_TO}; }
    location = ${GONE_PATH} { return 410; }
  }
}
`;
}

/** Writes `config` as `<dir>/<name>.conf` and starts nginx on it, pinned to `cpus`; resolves once it listens. */
export async function startNginx(dir: string, name: string, config: string, port: number, cpus: string): Promise<ChildProcess> {
  // Started as root, nginx runs its workers as an unprivileged user, which must
  // be able to reach the page in a directory mkdtemp made private.
  chmodSync(dir, 0o755);
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, config);
  const child = spawnPinned(cpus, 'nginx', ['-p', dir, '-c', file]);
  await waitForPort(port, child);
  return child;
}
