// Security item 8 of issue K, desktop export folder: the IPC transport writes an export only to a
// folder chosen in the native dialog (or the app's own exports folder when none is given); a path
// the renderer typed is refused, however it is spelled.
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExportFolderPolicy } from '../../src/main/exportFolderPolicy';

describe('export folder policy', () => {
  const chosen = path.join(os.tmpdir(), 'chosen-export');

  it('allows the folder chosen in the dialog, however the same folder is spelled, and no folder at all', () => {
    const policy = new ExportFolderPolicy();
    expect(policy.choose(`${chosen}/`)).toBe(chosen);
    for (const outDir of [chosen, `${chosen}/`, `${chosen}/./`, path.join(chosen, 'x', '..'), undefined, ''])
      expect(policy.refusal(outDir), String(outDir)).toBeUndefined();
  });

  it('refuses any folder the user did not choose: typed, a subfolder, a way out with ..', () => {
    const policy = new ExportFolderPolicy();
    policy.choose(chosen);
    for (const outDir of [os.homedir(), path.join(os.homedir(), '.ssh'), path.join(chosen, 'sub'), `${chosen}/../elsewhere`, 'relative/out']) {
      expect(policy.refusal(outDir), outDir).toMatch(/choose the export folder with "Choose folder…"/);
    }
  });

  it('refuses everything before a folder was chosen', () => {
    expect(new ExportFolderPolicy().refusal(os.homedir())).toBeDefined();
  });
});
