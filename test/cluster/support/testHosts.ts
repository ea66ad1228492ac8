// Test hosts for the cluster test: named network namespaces, each joined to the test's own
// namespace (the "hub", where Redis runs) by a veth pair with its own /24. A process started in a
// host reaches the hub only over its veth link: not the hub's loopback, not the other host.
// Needs root (or CAP_NET_ADMIN + CAP_SYS_ADMIN) and iproute2; run inside `npm run test:cluster`.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';

export interface TestHost {
  /** The namespace's name (ip netns). */
  name: string;
  /** The host's address, and the hub's address as the host reaches it. */
  address: string;
  hubAddress: string;
  /** argv prefix that runs a command inside the host. */
  exec: string[];
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

export function assertPrivateHub(): void {
  const external = Object.values(os.networkInterfaces()).flat().filter((i) => i && !i.internal);
  if (external.length > 0) throw new Error('refusing to start Redis and test hosts outside a private network namespace: run `npm run test:cluster`');
  if (spawnSync('ip', ['netns', 'list']).status !== 0) throw new Error('`ip netns` is not available (install iproute2; the test needs root)');
}

/** Creates host i (1-based): namespace, veth pair, addresses 10.231.i.1 (hub) and 10.231.i.2 (host). */
export function createHost(i: number): TestHost {
  const tag = randomBytes(3).toString('hex');
  const name = `explicare-h${i}-${tag}`;
  const hubSide = `vh${i}${tag}`;
  const hostSide = `vw${i}${tag}`;
  const [hubAddress, address] = [`10.231.${i}.1`, `10.231.${i}.2`];
  ip('netns', 'add', name);
  try {
    ip('link', 'add', hubSide, 'type', 'veth', 'peer', 'name', hostSide, 'netns', name);
    ip('addr', 'add', `${hubAddress}/24`, 'dev', hubSide);
    ip('link', 'set', hubSide, 'up');
    ip('-n', name, 'addr', 'add', `${address}/24`, 'dev', hostSide);
    ip('-n', name, 'link', 'set', hostSide, 'up');
    ip('-n', name, 'link', 'set', 'lo', 'up');
  } catch (err) {
    removeHost({ name } as TestHost);
    throw err;
  }
  return { name, address, hubAddress, exec: ['ip', 'netns', 'exec', name] };
}

/** Deleting the namespace removes its end of the veth pair, and with it the hub's end. */
export function removeHost(h: TestHost): void {
  spawnSync('ip', ['netns', 'del', h.name]);
}
