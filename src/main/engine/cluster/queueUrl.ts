// The queue a cohort run uses, as the user names it: redis://[user:password@]host[:port][/db] or
// rediss://… (TLS). Parsed here once, so both `evaluate --queue` and `worker --queue` accept the same
// forms and refuse the same mistakes with a message naming --queue. The password never appears in
// anything printed: `display` is the URL without it.
import { readFileSync } from 'node:fs';
import { ClusterError } from './clusterError';

/** What BullMQ hands to its Redis client (ioredis options). */
export interface QueueConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: { ca?: Buffer; servername: string };
  /** Workers and the submitter wait through a Redis restart instead of failing (BullMQ's advice). */
  maxRetriesPerRequest: null;
}

export interface QueueTarget {
  connection: QueueConnection;
  /** The URL as it may be printed: no password. */
  display: string;
}

export interface QueueUrlOptions {
  /** A PEM file of the CA that signed the server's certificate (rediss:// with a private CA). */
  caFile?: string;
  /** A password from the environment (EXPLICARE_QUEUE_PASSWORD), so it stays out of process lists. */
  password?: string;
  /** The CA's PEM itself (the app's panel, which has no file path to give). */
  ca?: Buffer;
  /** How messages name the URL: the CLI option by default, the panel's field in the app. */
  label?: string;
}

export function parseQueueUrl(text: string, o: QueueUrlOptions = {}): QueueTarget {
  const label = o.label ?? '--queue';
  const usage = (message: string) => new ClusterError(message.replace(/^--queue(?!-)/, label), true);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`--queue: "${redact(text)}" is not a URL (expected redis://host:port or rediss://host:port)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw usage(`--queue: ${url.protocol}// is not a queue URL (use redis:// or rediss:// for TLS)`);
  if (!url.hostname) throw usage('--queue: the URL names no host');
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, '');
  if (!/^\d{0,2}$/.test(dbText)) throw usage(`--queue: "/${dbText}" is not a database number (e.g. redis://host:6379/0)`);
  if (url.search || url.hash) throw usage('--queue: query strings and fragments are not used (give the CA with --queue-ca, the password in the URL or EXPLICARE_QUEUE_PASSWORD)');
  const tls = url.protocol === 'rediss:';
  if (o.caFile && !tls) throw usage('--queue-ca is for rediss:// (TLS) URLs only');
  let ca = o.ca;
  if (ca && !tls) throw usage('--queue: a CA certificate is for rediss:// (TLS) URLs only');
  if (o.caFile) {
    try {
      ca = readFileSync(o.caFile);
    } catch (err) {
      throw usage(`--queue-ca: cannot read ${o.caFile} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  // Brackets of an IPv6 literal are URL syntax, not part of the address.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : o.password || undefined;
  return {
    connection: {
      host,
      port,
      db: dbText ? Number(dbText) : 0,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      ...(tls ? { tls: { ...(ca ? { ca } : {}), servername: host } } : {}),
      maxRetriesPerRequest: null,
    },
    display: `${url.protocol}//${username ? `${username}@` : ''}${url.host}${dbText ? `/${dbText}` : ''}`,
  };
}

/** The text with anything that looks like a password (between : and @ after the scheme) masked. */
export function redact(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^/@:]*):[^/@]*@/i, '$1:***@');
}
