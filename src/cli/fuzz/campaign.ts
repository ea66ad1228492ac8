// A seeded fuzz campaign over the study opener: hostile special files (pipes, devices), mutated
// single files and series with a few mutated slices. The same seed and count give the same cases.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRng, type Rng } from '../../main/engine/random';
import { applyEdit, mutateAttributes } from './attributeMutations';
import { type Mutation, mutateBytes, nestedSequences } from './byteMutations';
import { type Corpus, PYDICOM_FILES, type SeedFile, loadCorpus } from './corpus';
import { ACCEPTABLE, type CaseResult, type Outcome, runCase, runPackageCase } from './runCase';
import { loadPackageSeeds, packageCase } from './packageCases';
import { bundledModelsDir } from '../../main/engine/paths';

export interface CampaignOptions {
  count: number;
  /** Model-package cases after the DICOM cases (folder and .zip of the bundled packages, mutated). */
  packages?: number;
  seed: number;
  /** Scratch folder (cases are written and removed here). */
  workDir: string;
  /** Called after every case (progress, logging). */
  onCase?: (index: number, label: string, result: CaseResult) => void;
}

export interface Finding {
  index: number;
  label: string;
  outcome: Outcome;
  detail: string;
}

export interface CampaignSummary {
  seed: number;
  cases: number;
  /** Of the cases, model packages. */
  packages?: number;
  outcomes: Record<Outcome, number>;
  findings: Finding[];
  slowestMs: number;
  slowestLabel: string;
  totalSeconds: number;
  peakRssMb: number;
  peakArrayBuffersMb: number;
}

interface Case {
  label: string;
  /** Builds the case under `dir`; returns what to open and the file names a message may name. */
  build(dir: string): { root: string; names: string[] };
}

/** Attribute edits only on files dcmjs re-encodes sanely (pristine seeds or its own output), else byte mutations. */
const mutate = (f: SeedFile, rng: Rng): Mutation => (f.editable && rng.next() < 0.5 && mutateAttributes(f.bytes, rng)) || mutateBytes(f.bytes, rng);

/** The edit, or undefined where an earlier edit (e.g. of the transfer syntax) left a file dcmjs cannot read. */
function tryEdit(bytes: Buffer, edit: string): Buffer | undefined {
  try {
    return applyEdit(bytes, edit);
  } catch {
    return undefined;
  }
}

function singleCase(seed: SeedFile, rng: Rng): Case {
  const m = mutate(seed, rng);
  return {
    label: `${seed.name}: ${m.label}`,
    build(dir) {
      writeFileSync(path.join(dir, seed.name), m.bytes);
      return { root: dir, names: [seed.name] };
    },
  };
}

function seriesCase(series: SeedFile[], rng: Rng): Case {
  const files = series.map((f) => ({ ...f }));
  const labels: string[] = [];
  const k = rng.int(1, 3);
  for (let i = 0; i < k; i++) {
    const j = rng.int(0, files.length - 1);
    const op = rng.int(0, 9);
    if (op === 0) {
      labels.push(`${files[j].name} deleted`);
      files.splice(j, 1);
    } else if (op === 1) {
      labels.push(`${files[j].name} duplicated`);
      files.push({ ...files[j], name: `copy-${files[j].name}` });
    } else if (op === 2 && files[j].editable && tryEdit(files[j].bytes, 'IOP all zero')) {
      labels.push(`${files[j].name}: IOP all zero`);
      files[j] = { ...files[j], bytes: tryEdit(files[j].bytes, 'IOP all zero')! };
    } else {
      const m = mutate(files[j], rng);
      labels.push(`${files[j].name}: ${m.label}`);
      // dcmjs's own output stays editable; bytes mangled blindly do not.
      files[j] = { ...files[j], bytes: m.bytes, editable: files[j].editable && !m.blind };
    }
    if (files.length === 0) break;
  }
  return {
    label: `series (${labels.join('; ')})`,
    build(dir) {
      for (const f of files) writeFileSync(path.join(dir, f.name), f.bytes);
      return { root: dir, names: files.map((f) => f.name) };
    },
  };
}

/** Non-regular files where a study file or a DICOMDIR entry is expected: each must be refused at once. */
function specialCases(corpus: Corpus): Case[] {
  const ct = corpus.series[0];
  const withSeries = (dir: string) => {
    for (const f of ct) writeFileSync(path.join(dir, f.name), f.bytes);
    return ct.map((f) => f.name);
  };
  const dicomdir = path.join(PYDICOM_FILES, 'dicomdirtests', 'TINY_ALPHA');
  const fifo = (p: string) => execFileSync('mkfifo', [p]);
  const cases: Case[] = [
    {
      label: 'a named pipe opened as a study file',
      build: (dir) => (fifo(path.join(dir, 'pipe.dcm')), { root: path.join(dir, 'pipe.dcm'), names: ['pipe.dcm'] }),
    },
    { label: '/dev/zero opened as a study file', build: () => ({ root: '/dev/zero', names: ['zero'] }) },
    { label: '/dev/urandom opened as a study file', build: () => ({ root: '/dev/urandom', names: ['urandom'] }) },
    {
      label: 'a series folder with a named pipe and a link to /dev/zero',
      build: (dir) => (fifo(path.join(dir, 'pipe')), symlinkSync('/dev/zero', path.join(dir, 'zero.dcm')), { root: dir, names: withSeries(dir) }),
    },
    {
      label: 'sequences nested 100000 deep',
      build: (dir) => {
        const b = ct[0].bytes;
        writeFileSync(path.join(dir, 'deep.dcm'), Buffer.concat([b.subarray(0, 132), nestedSequences(100_000), b.subarray(132)]));
        return { root: dir, names: ['deep.dcm'] };
      },
    },
  ];
  if (existsSync(path.join(dicomdir, 'DICOMDIR'))) {
    const target = (dir: string, make: (p: string) => void) => {
      cpSync(dicomdir, path.join(dir, 'media'), { recursive: true });
      const victim = path.join(dir, 'media', 'PT000000', 'ST000000', 'SE000000', 'IM000000');
      if (existsSync(victim)) unlinkSync(victim);
      make(victim);
      return { root: path.join(dir, 'media', 'DICOMDIR'), names: ['IM000000', 'DICOMDIR'] };
    };
    cases.push({ label: 'a DICOMDIR entry that is a named pipe', build: (dir) => target(dir, fifo) });
    cases.push({ label: 'a DICOMDIR entry linked to /dev/urandom', build: (dir) => target(dir, (p) => symlinkSync('/dev/urandom', p)) });
  }
  return cases;
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignSummary> {
  const started = Date.now();
  mkdirSync(o.workDir, { recursive: true });
  const corpus = await loadCorpus(o.workDir);
  const rng = createRng(`fuzz:${o.seed}`);
  const outcomes = Object.fromEntries(
    (['opened', 'refused', 'raw-error', 'unnamed', 'non-finite', 'hang', 'over-budget'] as Outcome[]).map((k) => [k, 0]),
  ) as Record<Outcome, number>;
  const summary: CampaignSummary = {
    seed: o.seed,
    cases: 0,
    outcomes,
    findings: [],
    slowestMs: 0,
    slowestLabel: '',
    totalSeconds: 0,
    peakRssMb: 0,
    peakArrayBuffersMb: 0,
  };
  const specials = specialCases(corpus);
  const cacheDir = path.join(o.workDir, 'engine-cache');
  /** Builds case `c` in a clean folder, runs it, and books its outcome, time and memory. */
  const play = async (index: number, c: Case, run: typeof runCase): Promise<void> => {
    const dir = path.join(o.workDir, 'case');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const { root, names } = c.build(dir);
    const rssBefore = process.memoryUsage().rss;
    const result = await run(root, names, cacheDir);
    const mem = process.memoryUsage();
    summary.peakRssMb = Math.max(summary.peakRssMb, Math.round(mem.rss / 2 ** 20));
    summary.peakArrayBuffersMb = Math.max(summary.peakArrayBuffersMb, Math.round(mem.arrayBuffers / 2 ** 20));
    // What the engine added while running the case (the harness's own allocations happen before).
    const grew = mem.rss - rssBefore;
    if (grew > MEMORY_BUDGET_BYTES && result.outcome !== 'hang')
      Object.assign(result, { outcome: 'over-budget', detail: `RSS grew by ${Math.round(grew / 2 ** 20)} MB while running the case` });
    summary.cases++;
    outcomes[result.outcome]++;
    if (result.ms > summary.slowestMs) Object.assign(summary, { slowestMs: result.ms, slowestLabel: c.label });
    if (!ACCEPTABLE.includes(result.outcome)) summary.findings.push({ index, label: c.label, outcome: result.outcome, detail: result.detail.slice(0, 500) });
    o.onCase?.(index, c.label, result);
  };
  for (let i = 0; i < o.count; i++) {
    const c =
      i < specials.length
        ? specials[i]
        : rng.next() < 0.6
          ? singleCase(corpus.singles[rng.int(0, corpus.singles.length - 1)], rng)
          : seriesCase(corpus.series[rng.int(0, corpus.series.length - 1)], rng);
    await play(i, c, runCase);
  }
  const seeds = o.packages ? loadPackageSeeds(bundledModelsDir()) : [];
  for (let i = 0; i < (o.packages ?? 0); i++) {
    await play(o.count + i, packageCase(seeds[rng.int(0, seeds.length - 1)], rng), runPackageCase);
    summary.packages = (summary.packages ?? 0) + 1;
  }
  rmSync(path.join(o.workDir, 'case'), { recursive: true, force: true });
  summary.totalSeconds = Math.round((Date.now() - started) / 100) / 10;
  return summary;
}

/** Most the process may grow while opening one case: a volume's budget (2 GiB) is never approached by these small files. */
export const MEMORY_BUDGET_BYTES = 1024 ** 3;
