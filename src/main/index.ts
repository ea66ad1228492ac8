// Electron main process: a thin shell that owns the window and serves the engine over IPC.
import { app } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AppLog } from './engine/appLog';
import { Engine } from './engine/engine';
import { registerApi } from './ipc/registerApi';
import { createMainWindow } from './window';
import { guardContents } from './windowPolicy';

const dirname = path.dirname(fileURLToPath(import.meta.url));

function requestedDemo(argv: string[]): 'ct' | 'ceph' | undefined {
  const arg = argv.find((a) => a.startsWith('--demo='));
  const kind = arg?.slice('--demo='.length);
  return kind === 'ct' || kind === 'ceph' ? kind : undefined;
}

app.enableSandbox();

app.whenReady().then(async () => {
  const engine = new Engine({ cacheDir: path.join(app.getPath('userData'), 'cache'), bundledModelsDir: path.join(app.getAppPath(), 'resources/models') });
  const demo = requestedDemo(process.argv);
  if (demo) await engine.openDemo(demo);

  const window = createMainWindow(dirname);
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const indexHtml = path.join(dirname, '../renderer/index.html');
  registerApi(engine, window, devUrl ?? pathToFileURL(indexHtml).href, new AppLog(path.join(app.getPath('logs'), 'explicare.log')));
  app.once('will-quit', () => void engine.dispose());
  if (devUrl) await window.loadURL(devUrl);
  else await window.loadFile(indexHtml);
});

app.on('window-all-closed', () => app.quit());
// Every web contents, not only the main window's, gets the same rules (no navigation, no windows).
app.on('web-contents-created', (_e, contents) => guardContents(contents));

