/**
 * The owner app (app/) served the way a static host serves it: the production build in
 * app/dist, built here when it is missing or older than its sources, plus `zkpin-app.json`
 * (the app's configuration: RPC URL, indexer URL, pipeline status URL, deployment manifest) from memory. Used by
 * `npm start -- --cluster local` and the app's browser tests.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '@zkpin/sdk/testing';
import type { DeploymentManifest } from '@zkpin/sdk';
import type { RpcNetwork } from './rpc-network.ts';

export const APP_DIR = join(REPO_ROOT, 'app');
const DIST = join(APP_DIR, 'dist');

/** What app/src/config.ts reads. */
export interface AppConfigJson {
  rpcUrl: string;
  wsUrl?: string;
  indexerUrl: string;
  /** The oracle's pipeline status endpoint (optional: the device page then says it is off). */
  pipelineStatusUrl?: string;
  manifest: DeploymentManifest;
}

/** The app's configuration for a network `startRpcNetwork` runs. */
export function networkAppConfig(net: RpcNetwork): AppConfigJson {
  return {
    rpcUrl: net.validator.rpcUrl,
    wsUrl: net.validator.wsUrl,
    indexerUrl: net.indexerUrl,
    pipelineStatusUrl: net.pipelineStatusUrl,
    manifest: net.manifest,
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds app/dist with Vite unless it is newer than app/src, index.html and the SDK's sources. */
export async function buildApp(o: { force?: boolean } = {}): Promise<void> {
  const index = join(DIST, 'index.html');
  if (!o.force && existsSync(index)) {
    const built = statSync(index).mtimeMs;
    const sources = Math.max(
      newest(join(APP_DIR, 'src')),
      statSync(join(APP_DIR, 'index.html')).mtimeMs,
      newest(join(REPO_ROOT, 'sdk', 'src')),
    );
    if (built > sources) return;
  }
  // The app's own Vite (app/node_modules: 8), not the one vitest brings to the root (7).
  const vite = createRequire(join(APP_DIR, 'package.json')).resolve('vite');
  const { build } = (await import(pathToFileURL(vite).href)) as typeof import('vite');
  await build({
    configFile: join(APP_DIR, 'vite.config.ts'),
    logLevel: 'warn',
  });
}

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

/** Serves app/dist and `config` as `/zkpin-app.json` on 127.0.0.1 (`port` 0: a free one). */
export async function serveApp(config: AppConfigJson, port = 0): Promise<AppServer> {
  const configBody = JSON.stringify(config);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/zkpin-app.json') {
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(configBody);
      return;
    }
    const file = normalize(join(DIST, path === '/' ? 'index.html' : path));
    const inside = file.startsWith(DIST + sep);
    const target =
      inside && existsSync(file) && statSync(file).isFile() ? file : join(DIST, 'index.html');
    res
      .writeHead(200, {
        'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
        'cache-control': target.includes(`${sep}assets${sep}`)
          ? 'max-age=31536000, immutable'
          : 'no-cache',
      })
      .end(req.method === 'HEAD' ? undefined : readFileSync(target));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
