// Runs a command inside a private network namespace with only loopback up. The PACS tests start a
// real Orthanc, which always binds 0.0.0.0: in its own namespace nothing outside can reach it.
//   node scripts/private-network.mjs <command> [args...]
import { spawnSync } from 'node:child_process';
import os from 'node:os';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: node scripts/private-network.mjs <command> [args...]');
  process.exit(2);
}

// Already isolated (only a loopback interface): run the command as it is.
const onlyLoopback = Object.values(os.networkInterfaces()).flat().every((i) => i?.internal);
if (onlyLoopback && process.env.EXPLICARE_PRIVATE_NETWORK === '1') {
  process.exit(spawnSync(command[0], command.slice(1), { stdio: 'inherit' }).status ?? 1);
}

// Root gets a plain network namespace; other users a user namespace mapped to root, where allowed.
const userNs = process.getuid?.() === 0 ? [] : ['--user', '--map-root-user'];
// Probe first, so "not permitted" (e.g. a container without CAP_SYS_ADMIN) is told apart from test failures.
const probe = spawnSync('unshare', [...userNs, '--net', '--', 'true'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.error(`cannot create a private network namespace: ${probe.error?.message ?? probe.stderr.trim()}`);
  console.error('the PACS tests need util-linux unshare and iproute2, and root with CAP_SYS_ADMIN (or unprivileged user namespaces)');
  process.exit(1);
}
const result = spawnSync('unshare', [...userNs, '--net', '--fork', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'private-network', ...command], {
  stdio: 'inherit',
  env: { ...process.env, EXPLICARE_PRIVATE_NETWORK: '1', TCP_NODELAY: '1' },
});
if (result.error) {
  console.error(`cannot start a private network namespace (${result.error.message}): install util-linux and iproute2, and run as root or where user namespaces are allowed`);
  process.exit(1);
}
process.exit(result.status ?? 1);
