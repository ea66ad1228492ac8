// Which connection errors waiting cannot cure. Redis being down or restarting is worth waiting for
// (workers and the submitter reconnect by themselves); a wrong password or a certificate that does
// not verify stays wrong, so the command stops with the reason instead of retrying forever.
import { createRequire } from 'node:module';
import { ClusterError } from './clusterError';

export function lastingQueueError(err: Error): string | null {
  const m = err.message;
  if (/WRONGPASS|NOAUTH|invalid username-password|invalid password/i.test(m)) return `the queue refused the password (${m.split('\n')[0]})`;
  if (/certificate|self[- ]signed|unable to verify|ERR_SSL|wrong version number/i.test(m)) return `TLS failed (${m.split('\n')[0]}): check rediss:// vs redis:// and --queue-ca`;
  return null;
}

/**
 * BullMQ loads its Redis client (the npm package ioredis) only when it first connects, and fails
 * there with a stack trace when it is missing: say so up front, as a command failure.
 */
export function assertRedisClient(): void {
  try {
    createRequire(import.meta.url).resolve('ioredis');
  } catch {
    throw new ClusterError("the queue needs BullMQ's Redis client, the npm package ioredis, which is not installed (npm install ioredis)");
  }
}
