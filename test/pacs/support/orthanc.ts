// Starts a real Orthanc with its DICOMweb plugin for a test: its own config, storage in a temp
// folder, a free port, HTTP basic auth with a test user. Refuses to run outside a private network
// namespace, because Orthanc always binds 0.0.0.0 (run the tests with `npm run test:pacs`).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

const PLUGIN_CANDIDATES = ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so', '/usr/lib/orthanc/libOrthancDicomWeb.so'];

export interface Orthanc {
  /** DICOMweb root, e.g. http://127.0.0.1:PORT/dicom-web */
  dicomWebUrl: string;
  /** Orthanc's own REST root (not DICOMweb): a realistic wrong URL for tests. */
  restUrl: string;
  user: string;
  password: string;
  /** "Basic ..." header value of the test user. */
  authorization: string;
  pid(): number;
  /** Starts it again on the same storage and port (after stop or kill). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** SIGKILL: the server disappears mid-answer. */
  kill(): Promise<void>;
  log(): string;
}

function pluginPath(): string {
  const found =
    PLUGIN_CANDIDATES.find((p) => existsSync(p)) ??
    spawnSync('sh', ['-c', 'ls /usr/lib/orthanc/libOrthancDicomWeb.so* 2>/dev/null | head -1'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('the Orthanc DICOMweb plugin is missing: apt-get install -y orthanc orthanc-dicomweb');
  return found;
}

function assertPrivateNetwork(): void {
  const external = Object.values(os.networkInterfaces()).flat().filter((i) => i && !i.internal);
  if (external.length > 0) throw new Error('refusing to start Orthanc (it binds 0.0.0.0) outside a private network namespace: run `npm run test:pacs`');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startOrthanc(dir: string): Promise<Orthanc> {
  if (spawnSync('which', ['Orthanc']).status !== 0) throw new Error('Orthanc is missing: apt-get install -y orthanc orthanc-dicomweb');
  assertPrivateNetwork();
  const port = await freePort();
  const user = 'explicare-test';
  const password = randomBytes(9).toString('base64url');
  const storage = path.join(dir, 'storage');
  mkdirSync(storage, { recursive: true });
  const config = path.join(dir, 'orthanc.json');
  writeFileSync(
    config,
    JSON.stringify(
      {
        Name: 'explicare-test',
        StorageDirectory: storage,
        IndexDirectory: storage,
        HttpPort: port,
        DicomServerEnabled: false,
        RemoteAccessAllowed: true,
        AuthenticationEnabled: true,
        RegisteredUsers: { [user]: password },
        Plugins: [pluginPath()],
        DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false },
      },
      null,
      2,
    ),
  );
  const logFile = path.join(dir, 'orthanc.log');
  const rest = `http://127.0.0.1:${port}`;
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    const out = openSync(logFile, 'a');
    const proc = spawn('Orthanc', [config], { stdio: ['ignore', out, out], env: { ...process.env, TCP_NODELAY: '1' } });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`Orthanc exited at start (code ${proc.exitCode}); log:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
      const ok = await fetch(`${rest}/system`, { headers: { Authorization: authorization } }).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`Orthanc did not answer within 20 s; log:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async function signal(sig: NodeJS.Signals): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(sig);
    const timeout = setTimeout(() => child?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timeout);
  }
  await start();
  return {
    dicomWebUrl: `${rest}/dicom-web`,
    restUrl: rest,
    user,
    password,
    authorization,
    pid: () => child?.pid ?? -1,
    start,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    log: () => readFileSync(logFile, 'utf8'),
  };
}
