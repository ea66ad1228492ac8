// Studies from a PACS: two generated CTs stored (STOW-RS) on a real Orthanc, started here with its
// DICOMweb plugin and HTTP basic auth, then `evaluate --pacs URL --studies ... --queue redis://...`
// with one worker (`worker --pacs URL`) that retrieves each study itself. The reference is a local
// `evaluate --cohort` of the same instances copied into folders named by their StudyInstanceUIDs
// (what a PACS holds: the DICOM files, no ground-truth sidecar), so it shares no PACS code with the
// run under test. Also: a local `evaluate --pacs`, a study the PACS does not have (its job fails with
// the PACS's reason, the cohort finishes), the byte budget, and that no secret reaches a log.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCtStudy } from '../../src/main/engine/demo';
import { pacsSettingsFrom, removeAbandonedStudies, retrieveStudy } from '../../src/main/engine/cluster/pacsStudy';
import { storeFiles } from '../../src/main/engine/pacs/stow';
import { startOrthanc, type Orthanc } from '../pacs/support/orthanc';
import { startRedis, type TestRedis } from './support/redis';
import { type CliProcess, startCli } from './support/cliProcess';
import { withoutTiming } from './support/timingColumns';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-cluster-pacs-'));
const log = (name: string) => path.join(tmp, `${name}.log`);
/** Well-formed, and on no PACS: its job must fail with the PACS's answer. */
const ABSENT = '1.2.826.0.1.3680043.8.498.99999';
const started: CliProcess[] = [];
const track = (p: CliProcess) => (started.push(p), p);

let orthanc: Orthanc;
let redis: TestRedis;
let worker: CliProcess;
let queueRun: CliProcess;
let localRun: CliProcess;
const queueOut = path.join(tmp, 'out-queue');
const localOut = path.join(tmp, 'out-local');
const workerTmp = path.join(tmp, 'tmp-w1');
const uids: string[] = [];
const generated = new Map<string, string>(); // study UID -> folder of its generated files
const reference = path.join(tmp, 'reference');
const common = (out: string) => ['--model', 'ct-nodule-classifier', '--methods', 'gradcam', '--out', out];
const secretsIn = (text: string) => text.includes(orthanc.password) || text.includes(orthanc.authorization) || text.includes(redis.password);

beforeAll(async () => {
  orthanc = await startOrthanc(path.join(tmp, 'orthanc'));
  redis = await startRedis(path.join(tmp, 'redis'), [], 6391);
  const settings = pacsSettingsFrom(orthanc.dicomWebUrl, orthanc.authorization, 30);
  for (const seed of [1, 2]) {
    const ct = await generateCtStudy({ seed, outDir: path.join(tmp, 'generated', `ct-${seed}`), slices: 40 });
    const files = readdirSync(ct.outDir).filter((f) => f.endsWith('.dcm'));
    const stored = await storeFiles(settings, ct.outDir, files);
    expect(stored.instances.every((i) => i.ok)).toBe(true);
    uids.push(ct.studyUid);
    generated.set(ct.studyUid, ct.outDir);
    // The reference cohort: the same instances, in a folder named as a PACS run names the study.
    mkdirSync(path.join(reference, ct.studyUid), { recursive: true });
    for (const f of files) cpSync(path.join(ct.outDir, f), path.join(reference, ct.studyUid, f));
  }
  uids.sort();
  mkdirSync(workerTmp);
  const env = { EXPLICARE_PACS_AUTHORIZATION: orthanc.authorization, EXPLICARE_QUEUE_PASSWORD: redis.password };
  worker = track(
    startCli(['worker', '--queue', `redis://127.0.0.1:${redis.port}`, '--model', 'ct-nodule-classifier', '--pacs', orthanc.dicomWebUrl, '--name', 'w1'], {
      // Its own temporary folder, to see that each retrieved study is removed after its case.
      env: { ...env, EXPLICARE_CACHE_DIR: path.join(tmp, 'cache-w1'), TMPDIR: workerTmp },
      logFile: log('worker'),
    }),
  );
  // The reference runs while the worker starts.
  const ref = track(startCli(['evaluate', '--cohort', reference, ...common(path.join(tmp, 'out-reference'))], { env: { EXPLICARE_CACHE_DIR: path.join(tmp, 'cache-ref') }, logFile: log('reference') }));
  expect(await ref.exited, ref.output()).toBe(0);
  await worker.waitFor(/waiting for jobs/, 120_000);
  // The queue run and a local `evaluate --pacs` of one study go on together (the tests await them).
  queueRun = track(
    startCli(['evaluate', '--pacs', orthanc.dicomWebUrl, '--studies', [...uids, ABSENT].join(','), ...common(queueOut), '--queue', `redis://127.0.0.1:${redis.port}`], {
      env: { EXPLICARE_QUEUE_PASSWORD: redis.password },
      logFile: log('submitter'),
    }),
  );
  localRun = track(
    startCli(['evaluate', '--pacs', orthanc.dicomWebUrl, '--studies', uids[0], ...common(localOut)], {
      env: { EXPLICARE_PACS_AUTHORIZATION: orthanc.authorization, EXPLICARE_CACHE_DIR: path.join(tmp, 'cache-local') },
      logFile: log('local'),
    }),
  );
});

afterAll(async () => {
  for (const p of started) p.proc.kill('SIGKILL');
  await Promise.all(started.map((p) => p.exited));
  await redis?.stop();
  await orthanc?.stop();
  if (process.env.EXPLICARE_KEEP_CLUSTER_TEST) console.log(`cluster PACS test files kept in ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
});

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('a cohort from the PACS', () => {
  it('retrieves a study byte for byte into a private folder, and removes it', async () => {
    const settings = pacsSettingsFrom(orthanc.dicomWebUrl, orthanc.authorization, 30);
    const study = await retrieveStudy(settings, uids[0]);
    const folder = path.join(study.cohortDir, study.study);
    expect(study.study).toBe(uids[0]);
    const got = readdirSync(folder).map((f) => sha(path.join(folder, f))).sort();
    const want = readdirSync(generated.get(uids[0])!).filter((f) => f.endsWith('.dcm')).map((f) => sha(path.join(generated.get(uids[0])!, f))).sort();
    expect(got).toEqual(want);
    await study.dispose();
    expect(existsSync(folder)).toBe(false);
  });

  it("removes what a killed process left, never a live process's study", async () => {
    const dir = path.join(tmp, 'abandoned');
    mkdirSync(path.join(dir, 'explicare-pacs-study-999999999-abc', 'retrieved'), { recursive: true });
    mkdirSync(path.join(dir, `explicare-pacs-study-${process.pid}-def`));
    mkdirSync(path.join(dir, 'unrelated'));
    expect(await removeAbandonedStudies(dir)).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([`explicare-pacs-study-${process.pid}-def`, 'unrelated']);
  });

  it('stops a retrieval over the byte budget and keeps nothing', async () => {
    const settings = pacsSettingsFrom(orthanc.dicomWebUrl, orthanc.authorization, 30);
    const before = readdirSync(os.tmpdir()).filter((f) => f.startsWith('explicare-pacs-study-')).length;
    await expect(retrieveStudy(settings, uids[0], 2 ** 20)).rejects.toThrow(/the PACS sent more than 1 MB; the retrieval was stopped and nothing was kept/);
    expect(readdirSync(os.tmpdir()).filter((f) => f.startsWith('explicare-pacs-study-')).length).toBe(before);
  });

  it('on a queue: the worker retrieves each study and the files equal the local reference (all but wall time)', async () => {
    const out = queueOut;
    const submitter = queueRun;
    expect(await submitter.exited, submitter.output()).toBe(0);
    for (const file of ['evaluation.csv', 'summary.json', 'summary.md']) {
      const want = readFileSync(path.join(tmp, 'out-reference', file), 'utf8');
      expect(withoutTiming(file, readFileSync(path.join(out, file), 'utf8')), file).toBe(withoutTiming(file, want));
    }
    const csv = readFileSync(path.join(out, 'evaluation.csv'), 'utf8').trim().split('\n');
    expect(csv.map((l) => l.split(',')[0].replaceAll('"', '')).slice(1)).toEqual(uids);
    // The study the PACS does not have fails with the PACS's reason; the others complete.
    const record = JSON.parse(readFileSync(path.join(out, 'cluster.json'), 'utf8'));
    const failed = record.cases.filter((c: { state: string }) => c.state === 'failed');
    expect(failed.map((c: { study: string }) => c.study)).toEqual([ABSENT]);
    expect(failed[0].reason).toMatch(/^PACS: the study retrieval: (the PACS lists no instances|not found)/);
    expect(submitter.output()).toContain('2 of 3 jobs done');
    // Each case ran once, on the worker, and the retrieved studies are gone.
    expect([...worker.output().matchAll(/ completed case-/g)]).toHaveLength(2);
    expect(readdirSync(workerTmp).filter((f) => f.startsWith('explicare-pacs-study-'))).toEqual([]);
    expect(secretsIn(submitter.output() + worker.output())).toBe(false);
  });

  it('locally: `evaluate --pacs` gives the same row as the reference', async () => {
    const out = localOut;
    const local = localRun;
    expect(await local.exited, local.output()).toBe(0);
    const want = readFileSync(path.join(tmp, 'out-reference', 'evaluation.csv'), 'utf8').trim().split('\n').slice(0, 2).join('\n');
    expect(withoutTiming('evaluation.csv', readFileSync(path.join(out, 'evaluation.csv'), 'utf8'))).toBe(withoutTiming('evaluation.csv', want));
    expect(secretsIn(local.output())).toBe(false);
  });

  it('refuses a malformed study UID or PACS URL before contacting anything', async () => {
    const bad = track(startCli(['evaluate', '--pacs', orthanc.dicomWebUrl, '--studies', `${uids[0]},1.2/../x`, ...common(path.join(tmp, 'x'))], { logFile: log('bad-uid') }));
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('--studies: "1.2/../x" is not a StudyInstanceUID');
    const url = track(startCli(['evaluate', '--pacs', 'http://u:p@127.0.0.1:1/dicom-web', '--studies', uids[0], ...common(path.join(tmp, 'x'))], { logFile: log('bad-url') }));
    expect(await url.exited).toBe(1);
    expect(url.output()).toContain('--pacs: put credentials in the authorization header, not in the URL');
  });
});
