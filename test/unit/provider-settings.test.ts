// The execution-provider setting: its file is validated like hostile input (each damage named,
// 'auto' used meanwhile), the API refuses what is not a provider, a saved choice survives a restart,
// EXPLICARE_PROVIDER decides over it (a bad value is ignored and said so), and a change applies to
// the models loaded afterwards: the real inference pool on this machine (no GPU) falls back from
// WebGPU to the CPU with ONNX Runtime's reason, then runs on the CPU with no fallback once chosen.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatch, toApiError } from '../../src/main/engine/dispatch';
import { Engine } from '../../src/main/engine/engine';
import { environmentProvider, PROVIDER_SETTINGS_FILE, ProviderSettingsFile } from '../../src/main/engine/inference/providerSettingsFile';
import { ModelService } from '../../src/main/engine/services/modelService';
import { ProviderSettingsService } from '../../src/main/engine/services/settingsService';
import { apiArgs } from '../../src/shared/api';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'explicare-provider-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the settings file', () => {
  it('is absent: auto, no problem; a saved choice is read back by a new reader, mode 600', async () => {
    const dir = tmp();
    expect(new ProviderSettingsFile(dir).get()).toEqual({ provider: 'auto' });
    await new ProviderSettingsFile(dir).save('cpu');
    const file = path.join(dir, PROVIDER_SETTINGS_FILE);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ provider: 'cpu' });
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(new ProviderSettingsFile(dir).get()).toEqual({ provider: 'cpu' });
  });

  it.each([
    ['not JSON', '{"provider": "cpu"', /not JSON/],
    ['an unknown provider', '{"provider": "gpu"}', /provider: Invalid option/i],
    ['a provider that is not a string', '{"provider": ["cpu"]}', /provider:/],
    ['an unexpected key', '{"provider": "cpu", "__proto__": {"x": 1}, "path": "/bin/sh"}', /Unrecognized key/i],
    ['no object', 'null', /file:/],
    ['too large', JSON.stringify({ provider: 'cpu', pad: 'x'.repeat(5000) }), /larger than the 4096/],
  ])('is damaged (%s): auto, and the problem names the file and the cause', (_what, text, cause) => {
    const dir = tmp();
    writeFileSync(path.join(dir, PROVIDER_SETTINGS_FILE), text);
    const got = new ProviderSettingsFile(dir).get();
    expect(got.provider).toBe('auto');
    expect(got.problem).toContain(path.join(dir, PROVIDER_SETTINGS_FILE));
    expect(got.problem).toMatch(cause);
    expect(got.problem).toMatch(/using "auto" until the choice is saved again/);
  });

  it('is a folder: auto, said so; saving never writes what is not a provider', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, PROVIDER_SETTINGS_FILE));
    expect(new ProviderSettingsFile(dir).get().problem).toMatch(/not a regular file/);
    const other = tmp();
    await expect(new ProviderSettingsFile(other).save('gpu' as never)).rejects.toThrow();
    expect(() => statSync(path.join(other, PROVIDER_SETTINGS_FILE))).toThrow();
  });
});

describe('EXPLICARE_PROVIDER', () => {
  it('decides when it names a provider, and is ignored with a message otherwise', () => {
    expect(environmentProvider(undefined)).toBeUndefined();
    expect(environmentProvider('')).toBeUndefined();
    expect(environmentProvider('cpu')).toMatchObject({ provider: 'cpu', message: expect.stringMatching(/decides for this run/) });
    const bad = environmentProvider('CUDA; rm -rf /');
    expect(bad?.provider).toBeUndefined();
    expect(bad?.message).toMatch(/is not a provider \(auto, cuda, dml, coreml, webgpu, cpu\) and is ignored/);
  });
});

describe('the API', () => {
  it('refuses anything but one known provider, naming the field', async () => {
    for (const bad of [{ provider: 'gpu' }, { provider: 'CPU' }, { provider: 1 }, {}, { provider: 'cpu', extra: true }, { provider: '../../etc' }]) {
      expect(apiArgs.saveProviderSettings.safeParse(bad).success).toBe(false);
    }
    expect(apiArgs.saveProviderSettings.parse({ provider: 'webgpu' })).toEqual({ provider: 'webgpu' });
    const dir = tmp();
    const engine = new Engine({ cacheDir: dir });
    try {
      const err = await dispatch(engine, 'saveProviderSettings', { provider: 'gpu' }).catch((e: unknown) => e);
      expect(toApiError(err)).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/^invalid request: provider: /) });
      expect(() => statSync(path.join(dir, PROVIDER_SETTINGS_FILE))).toThrow();
      // Through the same dispatch both transports use: saved, then read back.
      const saved = (await dispatch(engine, 'saveProviderSettings', { provider: 'cpu' })) as { saved: string; effective: string };
      expect(saved).toMatchObject({ saved: 'cpu' });
      expect(await dispatch(engine, 'getProviderSettings', {})).toMatchObject({ saved: 'cpu' });
    } finally {
      await engine.dispose();
    }
  });
});

describe('a change applies to models loaded afterwards (real inference pool, no GPU here)', () => {
  const cacheDir = tmp();
  const models = new ModelService(cacheDir, 'test/fixtures/models');
  afterAll(() => models.dispose());
  let running = 0;
  const service = (environment?: string) => new ProviderSettingsService({ dir: cacheDir, models, runningJobs: () => running, environment });

  it('WebGPU chosen: the model runs on the CPU and the view gives the reason; CPU chosen: CPU, no fallback', async () => {
    const settings = service();
    const before = await settings.view();
    expect(before).toMatchObject({ saved: 'auto', effective: 'auto', inUse: null });
    expect(before.options.map((o) => o.id)).toEqual(['auto', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu']);
    expect(before.options.find((o) => o.id === 'cpu')?.available).toBe(true);
    if (process.platform === 'linux') expect(before.options.find((o) => o.id === 'dml')).toMatchObject({ available: false, note: 'dml: not in this ONNX Runtime build for linux' });
    const id = (await models.list()).find((m) => m.name)!.id;

    await settings.save('webgpu');
    const onWebgpu = await models.load(id);
    expect(onWebgpu.session.provider).toBe('cpu'); // no adapter on this machine
    expect(onWebgpu.session.gpuError).toMatch(/^webgpu: /);
    const viewWebgpu = await settings.view();
    expect(viewWebgpu.plan.order).toEqual(process.platform === 'linux' || viewWebgpu.options.find((o) => o.id === 'webgpu')?.available ? ['webgpu', 'cpu'] : ['cpu']);
    expect(viewWebgpu.inUse).toEqual({ provider: 'cpu', fallbackReason: onWebgpu.session.gpuError });

    await settings.save('cpu');
    expect((await settings.view()).inUse).toBeNull(); // nothing loaded under the new choice yet
    const onCpu = await models.load(id);
    expect(onCpu.session).not.toBe(onWebgpu.session); // loaded again, in a new pool
    expect(onCpu.session.provider).toBe('cpu');
    expect(onCpu.session.gpuError).toBeUndefined();
    expect((await settings.view()).inUse).toEqual({ provider: 'cpu' });
    // The new pool runs the model.
    const input = onCpu.session.inputs[0];
    const dims = input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const feeds = { [input.name]: { data: new Float32Array(dims.reduce((a, d) => a * d, 1)), dims } };
    const out = await models.worker().run(id, feeds, [onCpu.session.outputs[0].name]);
    expect(Object.keys(out.outputs)).toEqual([onCpu.session.outputs[0].name]);
  });

  it('survives a restart; EXPLICARE_PROVIDER decides over it; a bad value is ignored and said so', async () => {
    expect(await service().view()).toMatchObject({ saved: 'cpu', effective: 'cpu' });
    const env = await service('auto').view();
    expect(env).toMatchObject({ saved: 'cpu', effective: 'auto', environment: { value: 'auto', applied: true } });
    const bad = await service('gpu').view();
    expect(bad).toMatchObject({ saved: 'cpu', effective: 'cpu', environment: { value: 'gpu', applied: false } });
    expect(bad.environment?.message).toMatch(/is ignored/);
  });

  it('is refused while an explanation runs on the current pool, and nothing is saved', async () => {
    running = 1;
    await expect(service().save('webgpu')).rejects.toThrow(/cannot change while 1 explanation or sanity job\(s\) run/);
    running = 0;
    expect(new ProviderSettingsFile(cacheDir).get().provider).toBe('cpu');
  });
});
