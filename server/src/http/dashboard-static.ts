import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../common/logger.js';

/** Paths that belong to the server: never answered with the dashboard, so their 404s stay problem+json. */
const SERVER_PREFIXES = ['/api', '/docs', '/metrics', '/health'];
/** Vite puts hashed bundles here; a missing one is a real 404, not a client-side route. */
const ASSETS_PREFIX = '/assets/';
/** `send` would overwrite our cache-control with its own default. */
const OWN_CACHE_HEADER = { cacheControl: false } as const;

export function isServerPath(pathname: string): boolean {
  return SERVER_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`) || pathname.startsWith(`${p}-`));
}

/**
 * `dashboard/dist` next to the package root. Walking up from this file finds it both from `server/src/http` (tests
 * run the sources) and from `dist/server/src/http` (the build), and in the Docker image (`/app`).
 */
export function findDashboardDir(start = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      const dist = join(dir, 'dashboard', 'dist');
      return existsSync(join(dist, 'index.html')) ? dist : null;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * Serves the built dashboard at `/`: files as they are (hashed assets cached for a year), and `index.html` for every
 * other GET outside the server's own prefixes, so a reload on `/hashes/…` opens the app there (the client routes).
 * Unknown `/api/…` paths go on to the framework's 404 handler and keep their problem+json answer.
 *
 * Registered on the root Fastify instance (not inside a plugin), so `callNotFound` reaches the 404 handler Nest
 * installs there.
 */
export async function registerDashboard(fastify: FastifyInstance, logger: Logger, root = findDashboardDir()): Promise<boolean> {
  if (!root) {
    logger.warn("dashboard not built (no dashboard/dist/index.html): run 'npm run build' to serve it at /");
    return false;
  }
  // Only `reply.sendFile` is used; the routes are ours, so the fallback decides what a miss means.
  await fastify.register(fastifyStatic, { root, serve: false, index: false });

  const sendIndex = (reply: FastifyReply): FastifyReply =>
    reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html', OWN_CACHE_HEADER);

  const handler = (request: FastifyRequest, reply: FastifyReply): FastifyReply | void => {
    const pathname = request.url.split('?')[0];
    if (isServerPath(pathname)) return reply.callNotFound();
    const file = staticFile(root, pathname);
    if (file) {
      const immutable = pathname.startsWith(ASSETS_PREFIX);
      return reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache').sendFile(file, OWN_CACHE_HEADER);
    }
    if (pathname.startsWith(ASSETS_PREFIX)) return reply.callNotFound();
    return sendIndex(reply);
  };
  fastify.route({ method: ['GET', 'HEAD'], url: '/', handler });
  fastify.route({ method: ['GET', 'HEAD'], url: '/*', handler });
  logger.info({ root }, 'dashboard served at /');
  return true;
}

/** The file under `root` that `pathname` names, or null (directories, dotfiles and escapes included). */
function staticFile(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded === '/' || decoded.includes('\0') || decoded.split('/').some((part) => part.startsWith('.'))) return null;
  const full = resolve(root, `.${decoded}`);
  if (!full.startsWith(root + sep)) return null;
  try {
    if (!statSync(full).isFile()) return null;
  } catch {
    return null;
  }
  return full.slice(root.length + 1).split(sep).join('/');
}
