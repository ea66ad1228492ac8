// `npm start`: builds and launches the desktop app on the demo CT, or, when this machine has no
// Electron binary (e.g. no access to GitHub downloads), the browser variant on the demo CT.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = path.dirname(require.resolve('electron/package.json'));

function electronBinary() {
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

let binary = electronBinary();
if (!binary) {
  // electron >= 42 downloads its binary on first use rather than at install.
  console.log('Explicare: fetching the Electron binary (first start)…');
  spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: 'ignore', timeout: 600_000 });
  binary = electronBinary();
}
if (!binary) {
  // No desktop window here: bring up the very same app in the browser variant instead.
  console.error(
    [
      'Explicare: the Electron binary could not be downloaded on this machine (no access to its GitHub release),',
      'so the desktop window cannot open here. Starting the same application in the browser variant instead',
      '(`npm run serve -- --demo ct`): open the http://127.0.0.1 address printed below.',
      '',
    ].join('\n'),
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'serve', '--', '--demo', 'ct', ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(process.execPath, [path.join(path.dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js'), 'build']);
run(binary, ['.', '--demo=ct', ...process.argv.slice(2)]);
