// Serves the API contract over IPC to our own window only; every argument is validated.
import { dialog, ipcMain, shell, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import { apiArgs, seriesUidSchema, uploadLimits, uploadNameSchema, type Capabilities } from '../../shared/api';
import { API_CHANNEL, type IpcResult } from '../../shared/ipc';
import { dispatch, isDispatchable, toApiError } from '../engine/dispatch';
import type { AppLog } from '../engine/appLog';
import type { Engine } from '../engine/engine';
import { APP_VERSION } from '../engine/version';
import { ExportFolderPolicy } from '../exportFolderPolicy';

const uploadSchema = z
  .array(z.object({ name: uploadNameSchema, data: z.instanceof(ArrayBuffer) }).strict())
  .min(1)
  .max(uploadLimits.maxFiles);

export function registerApi(engine: Engine, window: BrowserWindow, rendererUrl: string, log?: AppLog): void {
  // Folders the user chose in the native dialog: in the desktop app an export writes only there
  // (or to the app's own exports folder), never to a path the renderer typed.
  const exportFolders = new ExportFolderPolicy();
  const fromOurWindow = (e: IpcMainInvokeEvent) =>
    e.sender === window.webContents && (e.senderFrame?.url ?? '').startsWith(rendererUrl);

  async function call(method: string, args: unknown): Promise<unknown> {
    if (method === 'capabilities') {
      apiArgs.capabilities.parse(args);
      const caps: Capabilities = { transport: 'ipc', nativeDialog: true, version: APP_VERSION };
      return caps;
    }
    if (method === 'openDialog') {
      const { folder } = apiArgs.openDialog.parse(args);
      const picked = await dialog.showOpenDialog(window, {
        title: folder ? 'Open a DICOM folder' : 'Open DICOM files',
        properties: folder ? ['openDirectory'] : ['openFile', 'multiSelections'],
      });
      // Only what the user picked here becomes readable by the engine.
      return picked.canceled || picked.filePaths.length === 0 ? null : engine.openPaths(picked.filePaths);
    }
    if (method === 'chooseExportFolder') {
      apiArgs.chooseExportFolder.parse(args);
      const picked = await dialog.showOpenDialog(window, { title: 'Export to folder', properties: ['openDirectory', 'createDirectory'] });
      if (picked.canceled || picked.filePaths.length === 0) return null;
      return exportFolders.choose(picked.filePaths[0]);
    }
    if (method === 'exportReport') {
      const a = apiArgs.exportReport.parse(args);
      const refusal = exportFolders.refusal(a.outDir);
      if (refusal) throw new z.ZodError([{ code: 'custom', path: ['outDir'], message: refusal, input: a.outDir }]);
    }
    if (method === 'openExportFile') {
      // Only a PDF this session exported (the engine checks the name against that export's files).
      const a = apiArgs.openExportFile.parse(args);
      if (!a.file.toLowerCase().endsWith('.pdf')) throw new z.ZodError([{ code: 'custom', path: ['file'], message: 'only the PDF report is opened', input: a.file }]);
      const failure = await shell.openPath((await engine.exportFile(a.exportId, a.file)).path);
      if (failure) throw new z.ZodError([{ code: 'custom', path: ['file'], message: `the system could not open it: ${failure}`, input: a.file }]);
      return null;
    }
    if (method === 'openFiles') return engine.openFiles(uploadSchema.parse(args));
    if (method === 'importModelFiles') return engine.importModelFiles(uploadSchema.parse(args));
    if (method === 'importLandmarks') {
      const a = z.object({ seriesUid: seriesUidSchema, files: uploadSchema }).strict().parse(args);
      return engine.importLandmarks(a.seriesUid, a.files);
    }
    if (method === 'importModelDialog') {
      apiArgs.importModelDialog.parse(args);
      const picked = await dialog.showOpenDialog(window, {
        title: 'Import a model package (folder or .zip with model.onnx and model.json)',
        properties: ['openFile', 'openDirectory'],
        filters: [{ name: 'Model package', extensions: ['zip'] }],
      });
      return picked.canceled || picked.filePaths.length === 0 ? null : engine.importModel(picked.filePaths[0]);
    }
    if (!isDispatchable(method)) throw new z.ZodError([{ code: 'custom', path: ['method'], message: `no API method "${method}"`, input: method }]);
    return dispatch(engine, method, args);
  }

  ipcMain.handle(API_CHANNEL, async (event, method: unknown, args: unknown): Promise<IpcResult> => {
    if (!fromOurWindow(event) || typeof method !== 'string') return { ok: false, error: { code: 'unauthorized', message: 'not allowed' } };
    try {
      return { ok: true, value: await call(method, args ?? {}) };
    } catch (err) {
      const error = toApiError(err, log?.file);
      if (error.code === 'internal') log?.error(method, err);
      return { ok: false, error };
    }
  });
}
