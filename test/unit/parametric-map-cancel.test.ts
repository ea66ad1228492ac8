// The user's cancel reaches inside a Parametric Map: the writer asks before every slice, so a
// study-sized map (seconds of JPEG-LS encoding) stops at the next slice instead of at its end.
// Without the cancel, the same writer writes every slice (the control).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeParametricMap, type MapFrames } from '../../src/main/engine/report/parametricMapFile';
import type { ParametricMapArgs } from '../../src/main/engine/report/parametricMap';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-pm-cancel-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const [nx, ny, nz] = [8, 6, 5];
const args: ParametricMapArgs = {
  geometry: { dimensions: [nx, ny, nz], spacing: [1, 1, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
  sources: Array.from({ length: nz }, (_, k) => ({ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: `2.25.1${k}` })),
  sourceDataset: { Modality: 'CT', PatientName: 'Test^Cancel', PatientID: 'C1', StudyInstanceUID: '2.25.7', SpecificCharacterSet: 'ISO_IR 100' },
  sourceSeriesUid: '2.25.8',
  frameOfReferenceUid: '2.25.9',
  seriesInstanceUid: '2.25.10',
  sopInstanceUid: '2.25.11',
  dimensionOrganizationUid: '2.25.12',
  seriesNumber: 9002,
  instanceNumber: 1,
  created: new Date('2026-01-02T03:04:05Z'),
  method: 'gradcam',
  description: 'test map',
};

function frames(cancelAfter?: number): MapFrames & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    range: [0, 1],
    slice: async (k) => {
      asked.push(k);
      return Float32Array.from({ length: nx * ny }, (_, i) => ((i + k) % 7) / 7);
    },
    check: () => {
      if (cancelAfter !== undefined && asked.length >= cancelAfter) throw new Error('the export was cancelled');
    },
  };
}

describe('Parametric Map writer and the cancel', () => {
  it('writes every slice when nobody cancels', async () => {
    const f = frames();
    await writeParametricMap(path.join(tmp, 'whole.dcm'), args, f);
    expect(f.asked).toEqual([0, 1, 2, 3, 4]);
    expect(statSync(path.join(tmp, 'whole.dcm')).size).toBeGreaterThan(0);
  });

  it('stops at the next slice once cancelled, without asking for the rest of the map', async () => {
    const f = frames(2);
    await expect(writeParametricMap(path.join(tmp, 'cancelled.dcm'), args, f)).rejects.toThrow('the export was cancelled');
    expect(f.asked).toEqual([0, 1]);
  });
});
