// `npm run serve`: the engine behind a local HTTP server, so the renderer runs in any browser.
//   npm run serve -- [--port N] [--demo ct|ceph] [PATH ...]
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppLog } from '../main/engine/appLog';
import { Engine } from '../main/engine/engine';
import { bundledModelsDir, defaultCacheDir, sourceRoot } from '../main/engine/paths';
import { APP_VERSION } from '../main/engine/version';
import { createApiServer } from './httpApi';


async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string', default: '5199' }, demo: { type: 'string' } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got "${values.port}"`);
  if (values.demo && values.demo !== 'ct' && values.demo !== 'ceph') throw new Error('--demo must be "ct" or "ceph"');

  const engine = new Engine({ cacheDir: defaultCacheDir(), bundledModelsDir: bundledModelsDir() });
  const log = new AppLog(path.join(defaultCacheDir(), 'logs', 'explicare.log'));
  if (values.demo) await engine.openDemo(values.demo as 'ct' | 'ceph');
  if (positionals.length) {
    const report = await engine.openPaths(positionals);
    console.log(`Opened ${report.dicomFiles} DICOM file(s) of ${report.filesScanned}; ${report.skipped.length} skipped.`);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // Closing the server removes the studies uploaded over HTTP.
    process.once(signal, () => void engine.dispose().finally(() => server.close(() => process.exit(0))));
  }
  const token = randomBytes(24).toString('base64url');
  const { server, port: bound } = await createApiServer({ engine, token, staticDir: path.join(sourceRoot(), 'out/web'), version: APP_VERSION, port, log });
  console.log(`Explicare ${APP_VERSION} is serving on 127.0.0.1 only. Open this address in a browser:`);
  console.log(`  http://127.0.0.1:${bound}/#token=${token}`);
}

main().catch((err: unknown) => {
  console.error(`explicare serve: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
