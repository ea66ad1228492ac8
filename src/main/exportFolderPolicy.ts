// Where the desktop app may write an export: only into a folder the user picked in the native
// dialog (or, with no folder given, the app's own exports folder). The renderer is never trusted
// with a path: a page that typed "/home/user/.ssh" or "/chosen/../elsewhere" must be refused.
// Kept apart from registerApi (which needs Electron) so the rule is tested without Electron.
import path from 'node:path';

export class ExportFolderPolicy {
  private readonly chosen = new Set<string>();

  /** Remembers a folder the user picked in the native dialog; returns it resolved. */
  choose(folder: string): string {
    const resolved = path.resolve(folder);
    this.chosen.add(resolved);
    return resolved;
  }

  /** Why `outDir` may not be written (undefined: allowed). No outDir means the app's own folder. */
  refusal(outDir: string | undefined): string | undefined {
    if (outDir === undefined || outDir === '') return undefined;
    if (this.chosen.has(path.resolve(outDir))) return undefined;
    return 'choose the export folder with "Choose folder…" (the desktop app writes only to folders chosen there)';
  }
}
