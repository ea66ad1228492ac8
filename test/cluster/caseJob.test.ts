// The parts of the queue that need no Redis: the queue URL, the job payload's validation, the
// study fingerprint, and a worker's refusals (wrong model, a study outside its shared folder or not
// the submitter's copy, a PACS study with a malformed UID or a PACS the worker was not started
// with), each with the message a user reads.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { type CaseJob, caseJobId, caseJobSchema, CASE_JOB_VERSION } from '../../src/main/engine/cluster/caseJob';
import { parseQueueUrl, redact } from '../../src/main/engine/cluster/queueUrl';
import { runCaseJob, type WorkerContext } from '../../src/cli/cluster/runCaseJob';
import { studyDigest } from '../../src/main/engine/cluster/studyDigest';
import { formatDuration } from '../../src/shared/durationText';
import { pacsSettingsFrom } from '../../src/main/engine/cluster/pacsStudy';
import type { ModelSummary } from '../../src/shared/api';
import type { Engine } from '../../src/main/engine/engine';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-casejob-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SHA = 'ab'.repeat(32);
const job = (over: Partial<CaseJob> = {}): CaseJob => ({
  version: CASE_JOB_VERSION,
  model: SHA,
  cohort: ['cohort'],
  study: 'ct-1',
  studyDigest: '0'.repeat(64),
  settings: { method: 'mupax:paper', seeds: [0, 1], samples: 256, keep: 0.25 },
  ...over,
});

describe('queue URL', () => {
  it('reads host, port, database, user and password, and prints none of the password', () => {
    const t = parseQueueUrl('redis://lab:p%40ss%3Aword@queue.example.org:6380/2');
    expect(t.connection).toMatchObject({ host: 'queue.example.org', port: 6380, db: 2, username: 'lab', password: 'p@ss:word', maxRetriesPerRequest: null });
    expect(t.connection.tls).toBeUndefined();
    expect(t.display).toBe('redis://lab@queue.example.org:6380/2');
    expect(parseQueueUrl('redis://10.0.0.5').connection).toMatchObject({ host: '10.0.0.5', port: 6379, db: 0 });
    expect(parseQueueUrl('redis://[::1]:7000').connection.host).toBe('::1');
    // The password may come from the environment instead; one in the URL wins.
    expect(parseQueueUrl('redis://h:1', { password: 'env' }).connection.password).toBe('env');
    expect(parseQueueUrl('redis://:url@h:1', { password: 'env' }).connection.password).toBe('url');
  });

  it('turns on TLS for rediss:// and takes a private CA from a file', () => {
    const ca = path.join(tmp, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const t = parseQueueUrl('rediss://:secret@redis.lab:6390', { caFile: ca });
    expect(t.connection.tls?.servername).toBe('redis.lab');
    expect(String(t.connection.tls?.ca)).toContain('BEGIN CERTIFICATE');
    expect(t.display).toBe('rediss://redis.lab:6390');
  });

  it('refuses what is not a queue URL, naming --queue', () => {
    expect(() => parseQueueUrl('http://h:80')).toThrow(/--queue: http:\/\/ is not a queue URL/);
    expect(() => parseQueueUrl('redis://h:1/db')).toThrow(/--queue: "\/db" is not a database number/);
    expect(() => parseQueueUrl('redis://h:1?password=x')).toThrow(/--queue: query strings/);
    expect(() => parseQueueUrl('redis://:pw@h:99999')).toThrow(/--queue: "redis:\/\/:\*\*\*@h:99999" is not a URL/);
    expect(() => parseQueueUrl('redis://h:1', { caFile: '/x.pem' })).toThrow(/--queue-ca is for rediss:\/\//);
    expect(() => parseQueueUrl('rediss://h:1', { caFile: path.join(tmp, 'missing.pem') })).toThrow(/--queue-ca: cannot read .*missing\.pem \(ENOENT\)/);
    expect(redact('rediss://user:hunter2@h')).toBe('rediss://user:***@h');
  });
});

describe('job payload', () => {
  it('accepts a case and derives the same id from the same case only', () => {
    expect(caseJobSchema.parse(job())).toEqual(job());
    expect(caseJobId(job())).toBe(caseJobId(job()));
    expect(caseJobId(job())).not.toBe(caseJobId(job({ settings: { ...job().settings, seeds: [0, 2] } })));
    expect(caseJobId(job())).toMatch(/^case-[0-9a-f]{40}$/);
  });

  it.each([
    ['a study that climbs out', { study: '..' }, /study: must be one folder name/],
    ['a cohort path with a separator', { cohort: ['a/b'] }, /cohort\.0: must be one folder name/],
    ['a method that is not one', { settings: { ...job().settings, method: 'sh -c id' } }, /settings\.method: is not a known method/],
    ['an unknown variant', { settings: { ...job().settings, method: 'mupax:fast' } }, /is not a known method or variant/],
    ['a model that is not a sha256', { model: 'ct-nodule-classifier' }, /model: must be a sha256/],
    ['too many seeds', { settings: { ...job().settings, seeds: Array.from({ length: 17 }, (_, i) => i) } }, /settings\.seeds/],
    ['keep out of range', { settings: { ...job().settings, keep: 1 } }, /settings\.keep/],
    ['an extra field', { command: 'rm -rf /' } as Partial<CaseJob>, /Unrecognized key/],
  ])('refuses %s', async (_name, over, message) => {
    const ctx = { engine: {} as Engine, models: new Map(), sharedDir: tmp, name: 'test' };
    const refusal = runCaseJob(ctx, { ...job(), ...over });
    await expect(refusal).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(refusal).rejects.toThrow(message);
    await expect(runCaseJob(ctx, 'not an object')).rejects.toThrow(/invalid job payload/);
  });
});

describe('a worker refuses what it cannot honestly run', () => {
  const shared = path.join(tmp, 'shared');
  const study = path.join(shared, 'cohort', 'ct-1');
  mkdirSync(study, { recursive: true });
  writeFileSync(path.join(study, 'IM0.dcm'), 'slice 0');
  mkdirSync(path.join(study, 'sub'));
  writeFileSync(path.join(study, 'sub', 'IM1.dcm'), 'slice 1');
  const outside = path.join(tmp, 'outside');
  mkdirSync(outside);
  symlinkSync(outside, path.join(shared, 'cohort', 'linked'));
  // The engine is never reached: every refusal comes before the case runs.
  const ctx = (models: string[]): WorkerContext => ({
    engine: {} as Engine,
    models: new Map(models.map((m) => [m, { id: m } as ModelSummary])),
    sharedDir: shared,
    name: 'test',
  });

  it('fingerprints a study by names, sizes and contents', async () => {
    const copy = path.join(tmp, 'copy');
    cpSync(study, copy, { recursive: true });
    expect(await studyDigest(copy)).toBe(await studyDigest(study));
    writeFileSync(path.join(copy, 'sub', 'IM1.dcm'), 'slice 2');
    expect(await studyDigest(copy)).not.toBe(await studyDigest(study));
  });

  it('a model it does not hold, by sha256', async () => {
    const other = 'cd'.repeat(32);
    await expect(runCaseJob(ctx([other]), job())).rejects.toThrow(`this worker does not hold model ${SHA.slice(0, 12)}… (it holds ${other.slice(0, 12)}…)`);
  });

  it('a study that is not in its shared folder, or leads out of it', async () => {
    await expect(runCaseJob(ctx([SHA]), job({ study: 'ct-9' }))).rejects.toThrow("study cohort/ct-9 is not in this worker's shared folder");
    await expect(runCaseJob(ctx([SHA]), job({ study: 'linked' }))).rejects.toThrow('study cohort/linked leads outside the shared folder');
  });

  it("a study that differs from the submitter's copy", async () => {
    await expect(runCaseJob(ctx([SHA]), job())).rejects.toThrow("study ct-1 differs from the submitter's copy");
    // With the right fingerprint it gets past every refusal (and reaches the engine, absent here).
    const right = job({ studyDigest: await studyDigest(study) });
    await expect(runCaseJob(ctx([SHA]), right)).rejects.not.toBeInstanceOf(UnrecoverableError);
  });
});

describe('a PACS study in a job', () => {
  const PACS = 'http://pacs.lab:8042/dicom-web';
  const pacsJob = (over: Record<string, unknown> = {}) => ({
    version: CASE_JOB_VERSION,
    model: SHA,
    pacs: PACS,
    studyUid: '1.2.826.0.1.3680043.8.498.1',
    settings: { method: 'gradcam', seeds: [0], keep: 0.25 },
    ...over,
  });
  const ctx = (pacs?: string): WorkerContext => ({
    engine: {} as Engine,
    models: new Map([[SHA, { id: SHA } as ModelSummary]]),
    ...(pacs ? { pacs: pacsSettingsFrom(pacs, 'Basic dGVzdDp0ZXN0') } : {}),
    name: 'test',
  });

  it('is a payload of its own, with its own id', () => {
    expect(caseJobSchema.parse(pacsJob())).toEqual(pacsJob());
    expect(caseJobId(pacsJob() as CaseJob)).not.toBe(caseJobId(pacsJob({ studyUid: '1.2.826.0.1.3680043.8.498.2' }) as CaseJob));
  });

  it.each([
    ['a study UID that is a path', { studyUid: '1.2/../../etc' }, /studyUid: is not a DICOM UID/],
    ['a study UID with letters', { studyUid: '1.2.abc' }, /studyUid: is not a DICOM UID/],
    ['a study UID over 64 characters', { studyUid: '1.' + '2'.repeat(64) }, /studyUid: is not a DICOM UID/],
    ['an empty study UID', { studyUid: '' }, /studyUid: is not a DICOM UID/],
    ['a PACS URL with credentials', { pacs: 'http://u:p@pacs.lab/dicom-web' }, /pacs: is not a DICOMweb URL/],
    ['a PACS URL that is a file', { pacs: 'file:///etc/passwd' }, /pacs: is not a DICOMweb URL/],
    ['a PACS URL with a query', { pacs: PACS + '?x=1' }, /pacs: is not a DICOMweb URL/],
    ['a PACS URL not in its stored form', { pacs: PACS + '/' }, /pacs: is not a DICOMweb URL/],
    ['a PACS job that also names a folder', { study: 'ct-1' }, /Unrecognized key/],
  ])('refuses %s', async (_name, over, message) => {
    const refusal = runCaseJob(ctx(PACS), pacsJob(over));
    await expect(refusal).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(refusal).rejects.toThrow(message);
  });

  it('is refused by a worker without that PACS: a job never points a worker (or its credentials) elsewhere', async () => {
    await expect(runCaseJob(ctx(), pacsJob())).rejects.toThrow(`this worker retrieves from no PACS (start it with --pacs ${PACS})`);
    await expect(runCaseJob(ctx('http://other.lab/dicom-web'), pacsJob())).rejects.toThrow(`this worker retrieves only from http://other.lab/dicom-web, not ${PACS}`);
  });

  it("checks the worker's --pacs as the app checks its PACS settings", () => {
    expect(pacsSettingsFrom('http://pacs.lab:8042/dicom-web/', undefined)).toEqual({ baseUrl: PACS, timeoutSeconds: 60 });
    expect(() => pacsSettingsFrom('ftp://pacs.lab/dicom-web', undefined)).toThrow(/--pacs: the DICOMweb URL must start with http/);
    expect(() => pacsSettingsFrom('http://u:p@pacs.lab/dicom-web', undefined)).toThrow(/--pacs: put credentials in the authorization header/);
    expect(() => pacsSettingsFrom(PACS, 'Basic x\r\nX-Evil: 1')).toThrow(/EXPLICARE_PACS_AUTHORIZATION: .*printable ASCII on one line/);
  });
});

it('writes durations for a progress line', () => {
  expect([formatDuration(42.4), formatDuration(185), formatDuration(7800), formatDuration(NaN)]).toEqual(['42 s', '3 min 05 s', '2 h 10 min', '?']);
});
