// A ground-truth landmark file read against the model it will be compared with: plain "x,y"
// lines take the model's landmarks in order when the counts match, and are refused saying both
// counts when they do not; named files must use the model's names.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LandmarkFileError, parseLandmarkFile } from '../../src/main/engine/landmarks/parseLandmarkFile';
import { ISBI_LANDMARK_SET, landmarkSetOf, type LandmarkSet } from '../../src/main/engine/landmarks/landmarkSet';
import { modelManifestSchema } from '../../src/shared/modelManifest';
import { truthForModel } from '../../src/main/engine/landmarks/truthForModel';
import type { GroundTruth } from '../../src/shared/api';
import type { Geometry } from '../../src/shared/geometry';

// Three landmarks, named in the fixture's own manifest (read from disk, not restated here).
const tinyManifest = modelManifestSchema.parse(JSON.parse(readFileSync('test/fixtures/models/tiny-landmarks/model.json', 'utf8')));
const tiny = landmarkSetOf(tinyManifest) as LandmarkSet;
const hand: LandmarkSet = {
  name: 'the model "hand joints"',
  landmarks: [
    { name: 'Thumb tip', abbreviation: 'T1' },
    { name: 'Index tip', abbreviation: 'I1' },
    { name: 'Middle tip', abbreviation: 'M1' },
    { name: 'Ring tip', abbreviation: 'R1' },
    { name: 'Little tip', abbreviation: 'L1' },
  ],
};
const lines = (n: number) => Array.from({ length: n }, (_, i) => `${10 * i + 1},${20 * i + 2}`).join('\n');

describe('plain "x,y" files on a model', () => {
  it('map to the model\'s landmarks in order when the counts match', () => {
    const points = parseLandmarkFile('hand.txt', lines(5) + '\n', hand);
    expect(points).toEqual(hand.landmarks.map((l, i) => ({ name: l.name, abbreviation: l.abbreviation, pixel: [10 * i + 1, 20 * i + 2] })));
    const three = parseLandmarkFile('tiny.txt', '5 6\r\n7 8\r\n9 10\r\n', tiny);
    expect(three.map((p) => p.name)).toEqual(tinyManifest.output.decoding.type === 'heatmaps' ? tinyManifest.output.decoding.landmarks.map((l) => l.name) : []);
    expect(three.map((p) => p.pixel)).toEqual([[5, 6], [7, 8], [9, 10]]);
  });

  it('are refused when the counts differ, saying both counts and what to do', () => {
    expect(() => parseLandmarkFile('ceph-001.txt', lines(19), hand)).toThrow(
      'ceph-001.txt: it lists 19 points as plain "x,y" lines, but the model "hand joints" has 5 landmarks; a plain file is read in the landmarks\' order, so the counts must match (or name each point: a CSV with name,x,y)',
    );
    expect(() => parseLandmarkFile('four.txt', lines(4), tiny)).toThrow(
      /four\.txt: it lists 4 points .* but the model "Tiny landmark model \(test fixture, untrained\)" has 3 landmarks/,
    );
    expect(() => parseLandmarkFile('one.txt', '1,2', hand)).toThrow(/it lists 1 point as plain/);
  });

  it('keep the ISBI reading without a model: 19 lines (class labels after them ignored), other counts provisional names', () => {
    const isbi = parseLandmarkFile('001.txt', `${lines(19)}\n1\n2\n`);
    expect(isbi.map((p) => p.abbreviation)).toEqual(ISBI_LANDMARK_SET.landmarks.map((l) => l.abbreviation));
    expect(isbi[18].pixel).toEqual([181, 362]);
    // Before, a 5-line file became Sella..Gonion, and any other model then found no truth (null errors).
    const five = parseLandmarkFile('short.txt', lines(5));
    expect(five.map((p) => p.name)).toEqual(['Point 1', 'Point 2', 'Point 3', 'Point 4', 'Point 5']);
    expect(() => parseLandmarkFile('short.txt', lines(5), ISBI_LANDMARK_SET)).toThrow(
      /short\.txt: it lists 5 points .* but the ISBI 2015 list has 19 landmarks/,
    );
  });

  it('refuse a line that is not two numbers, naming it', () => {
    expect(() => parseLandmarkFile('bad.txt', '1,2\n3,4,5\n6,7\n', hand)).toThrow('bad.txt: line 2 is not "x,y" (two numbers)');
    expect(() => parseLandmarkFile('bad.txt', '1,2\n3\n6,7\n', hand)).toThrow('bad.txt: line 3 is not "x,y" (two numbers) after the class labels');
    expect(() => parseLandmarkFile('nan.txt', '1,2\nInfinity,4\n', hand)).toThrow(LandmarkFileError);
  });
});

describe('named files on a model', () => {
  it('resolve names and abbreviations of the model, in any case', () => {
    const points = parseLandmarkFile('gt.csv', 'name,x,y\nm1,3,4\nthumb tip,1,2\n', hand);
    expect(points).toEqual([
      { name: 'Middle tip', abbreviation: 'M1', pixel: [3, 4] },
      { name: 'Thumb tip', abbreviation: 'T1', pixel: [1, 2] },
    ]);
  });

  it('refuse names the model does not have, listing them and the model\'s landmarks', () => {
    expect(() => parseLandmarkFile('gt.csv', 'name,x,y\nSella,1,2\nT1,3,4\nNasion,5,6\n', hand)).toThrow(
      'gt.csv: "Sella", "Nasion" are not landmarks of the model "hand joints" (its landmarks: T1, I1, M1, R1, L1)',
    );
    expect(() => parseLandmarkFile('gt.json', JSON.stringify([{ name: 'Gonion', x: 1, y: 2 }]), tiny)).toThrow(
      /gt\.json: "Gonion" is not a landmark of the model "Tiny landmark model/,
    );
  });

  it('refuse a landmark given twice', () => {
    expect(() => parseLandmarkFile('gt.csv', 'name,x,y\nT1,1,2\nThumb tip,3,4\n', hand)).toThrow('gt.csv: row 3: Thumb tip is given twice');
  });
});

describe('a landmark file read again for the model that uses it', () => {
  const geometry: Geometry = { dimensions: [100, 100, 1], spacing: [0.5, 0.25, 1], origin: [10, 20, 30], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  const stored = (name: string, text: string): GroundTruth => ({
    seriesUid: '1.2.3',
    landmarks: parseLandmarkFile(name, text).map((p) => ({ ...p, patient: [0, 0, 0] as [number, number, number] })),
    lesions: [],
    source: `landmark file ${name}`,
  });

  it('takes the model\'s names in order and places them in patient space', () => {
    const text = '4,8\n10,20\n0,0\n';
    const truth = truthForModel(stored('tiny.txt', text), { name: 'tiny.txt', text }, tinyManifest, geometry);
    expect(truth.landmarks.map((l) => [l.abbreviation, ...l.pixel, ...l.patient])).toEqual([
      ['S', 4, 8, 12, 22, 30],
      ['N', 10, 20, 15, 25, 30],
      ['Or', 0, 0, 10, 20, 30],
    ]);
    expect(truth.source).toBe('landmark file tiny.txt');
  });

  it('refuses a file that does not fit the model, and leaves other truth and classifiers alone', () => {
    const text = lines(19);
    expect(() => truthForModel(stored('001.txt', text), { name: '001.txt', text }, tinyManifest, geometry)).toThrow(
      /001\.txt: it lists 19 points .* has 3 landmarks/,
    );
    const demo = stored('001.txt', text);
    expect(truthForModel(demo, undefined, tinyManifest, geometry)).toBe(demo);
    const classifier = modelManifestSchema.parse(JSON.parse(readFileSync('test/fixtures/models/tiny-ct-classifier/model.json', 'utf8')));
    expect(truthForModel(demo, { name: '001.txt', text }, classifier, geometry)).toBe(demo);
  });
});

describe('the engine reads a plain landmark file for the model that runs', () => {
  it('gives a 3-landmark model its landmarks from 3 plain lines, and refuses 5 lines saying why', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { Engine } = await import('../../src/main/engine/engine');
    const { pydicomFile } = await import('./dicom-test-helpers');
    const work = mkdtempSync(path.join(os.tmpdir(), 'explicare-landmark-model-'));
    const engine = new Engine({ cacheDir: work });
    try {
      const model = await engine.importModel(path.resolve('test/fixtures/models/tiny-landmarks'));
      const uid = (await engine.openPaths([pydicomFile('CT_small.dcm')])).openedSeries[0];
      const upload = (text: string, name = 'points.txt') => engine.importLandmarks(uid, [{ name, data: new TextEncoder().encode(text).buffer as ArrayBuffer }]);

      // At import no model is known: three plain points keep provisional names.
      expect((await upload('10,20\n100,30\n50,60\n')).landmarks.map((l) => l.name)).toEqual(['Point 1', 'Point 2', 'Point 3']);
      const result = await engine.runModel(uid, model.id);
      const errors = result.landmarks!.errors!;
      // Before, names came from the ISBI list and nothing matched: every error was null.
      expect(errors.count).toBe(3);
      expect(errors.perLandmark.map((p) => p.errorMm === null)).toEqual([false, false, false]);
      const predicted = result.landmarks!.points;
      const dx = (predicted[1].pixel[0] - 100) * 0.661468;
      const dy = (predicted[1].pixel[1] - 30) * 0.661468;
      expect(errors.perLandmark[1].errorMm).toBeCloseTo(Math.hypot(dx, dy), 3); // Nasion <- line 2

      await upload('1,2\n3,4\n5,6\n7,8\n9,10\n');
      await expect(engine.runModel(uid, model.id)).rejects.toThrow(
        /^The ground-truth landmarks do not fit this model: points\.txt: it lists 5 points as plain "x,y" lines, but the model "Tiny landmark model \(test fixture, untrained\)" has 3 landmarks/,
      );
    } finally {
      await engine.dispose();
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
