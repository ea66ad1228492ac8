// A real redis-server for the cluster test: its own config and data folder, a password (AUTH),
// append-only persistence with fsync on every write (so a restart mid-run loses nothing), bound to
// loopback and the hub's veth addresses only. Stop/start keep the same port, data and password.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface TestRedis {
  port: number;
  password: string;
  start(): Promise<void>;
  /** SIGTERM: Redis finishes its append-only file and exits; resolves once it has. */
  stop(): Promise<void>;
  log(): string;
}

function ping(port: number, password: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(port, '127.0.0.1');
    let answer = '';
    s.on('connect', () => s.write(`AUTH ${password}\r\nPING\r\n`));
    s.on('data', (d) => {
      answer += String(d);
      if (answer.includes('PONG')) {
        s.destroy();
        resolve(true);
      }
    });
    s.on('error', () => resolve(false));
    setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 1000);
  });
}

export async function startRedis(dir: string, bind: string[], port = 6390): Promise<TestRedis> {
  if (spawnSync('which', ['redis-server']).status !== 0) throw new Error('redis-server is missing: apt-get install -y redis-server');
  mkdirSync(dir, { recursive: true });
  const password = randomBytes(12).toString('base64url');
  const config = path.join(dir, 'redis.conf');
  writeFileSync(
    config,
    [
      `port ${port}`,
      `bind 127.0.0.1 ${bind.join(' ')}`,
      `requirepass ${password}`,
      `dir ${dir}`,
      'appendonly yes',
      'appendfsync always',
      'save ""',
      'daemonize no',
      // BullMQ needs its jobs kept: never evict keys under memory pressure.
      'maxmemory-policy noeviction',
    ].join('\n') + '\n',
  );
  const logFile = path.join(dir, 'redis.log');
  let proc: ChildProcess | undefined;
  const redis: TestRedis = {
    port,
    password,
    async start() {
      const out = openSync(logFile, 'a');
      proc = spawn('redis-server', [config], { stdio: ['ignore', out, out] });
      for (let i = 0; i < 100; i++) {
        if (await ping(port, password)) return;
        if (proc.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`redis-server did not start: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    },
    async stop() {
      const p = proc;
      if (!p || p.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill('SIGTERM');
      });
    },
    log: () => readFileSync(logFile, 'utf8'),
  };
  await redis.start();
  return redis;
}
