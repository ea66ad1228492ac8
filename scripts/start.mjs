// `npm start`: builds and launches the desktop app on the demo CT, or explains what to do instead
// when this machine has no Electron binary (e.g. no access to GitHub downloads).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let electronBinary;
try {
  electronBinary = require('electron'); // the package exports the binary's path; throws if it is missing
} catch {
  electronBinary = undefined;
}
if (typeof electronBinary !== 'string') {
  console.error(
    [
      'Explicare: the Electron binary is not installed on this machine (its download from GitHub failed or was skipped),',
      'so the desktop window cannot open here. The same application runs in your browser against a local engine:',
      '',
      '    npm run serve -- --demo ct',
      '',
      'then open the printed http://127.0.0.1 address. (To get the desktop app, run `npx install-electron` or',
      'reinstall the electron package on a machine with internet access.)',
    ].join('\n'),
  );
  process.exit(1);
}
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(process.execPath, [require.resolve('electron-vite/bin/electron-vite.js'), 'build']);
run(electronBinary, ['.', '--demo=ct', ...process.argv.slice(2)]);
