// Execution-provider choice: the order tried per platform and preference (pure), and the real
// fallback on this machine (no GPU): ONNX Runtime refuses the provider, the model runs on the CPU
// and the result says why.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { InferencePool } from '../../src/main/engine/inference/pool';
import { planProviders } from '../../src/main/engine/inference/providers';

const all = new Set(['cpu', 'dml', 'coreml', 'webgpu', 'cuda']);

describe('provider plan', () => {
  it('tries the platform GPU providers in order, then the CPU', () => {
    expect(planProviders('auto', 'win32', all).order).toEqual(['cuda', 'dml', 'webgpu', 'cpu']);
    expect(planProviders('auto', 'win32', new Set(['cpu', 'dml', 'webgpu'])).order).toEqual(['dml', 'webgpu', 'cpu']);
    expect(planProviders('auto', 'darwin', new Set(['cpu', 'coreml', 'webgpu'])).order).toEqual(['coreml', 'webgpu', 'cpu']);
    // Linux: CUDA when its library is installed; WebGPU (experimental there) only when chosen.
    const linux = planProviders('auto', 'linux', new Set(['cpu', 'webgpu']));
    expect(linux.order).toEqual(['cpu']);
    expect(linux.skipped.join('\n')).toMatch(/CUDA.*not installed/);
    expect(linux.skipped.join('\n')).toMatch(/webgpu: experimental on Linux/);
    expect(planProviders('webgpu', 'linux', new Set(['cpu', 'webgpu'])).order).toEqual(['webgpu', 'cpu']);
  });

  it('honours an explicit choice, says when the build lacks it, and always ends with the CPU', () => {
    expect(planProviders('cpu', 'win32', all)).toEqual({ order: ['cpu'], skipped: [] });
    const dml = planProviders('dml', 'linux', new Set(['cpu', 'webgpu']));
    expect(dml.order).toEqual(['cpu']);
    expect(dml.skipped).toEqual(['dml: not in this ONNX Runtime build for linux']);
  });
});

describe('fallback on this machine', () => {
  const pool = new InferencePool(1);
  afterAll(() => pool.terminate());
  const onnx = readFileSync('test/fixtures/models/tiny-landmarks/model.onnx');

  it('runs on the CPU when the chosen GPU provider cannot start, naming the provider and the reason', async () => {
    const s = await pool.load('wgpu', onnx, { provider: 'webgpu' });
    expect(s.provider).toBe('cpu');
    // No adapter here (no GPU, no Vulkan): ONNX Runtime's own reason is kept.
    expect(s.gpuError).toMatch(/^webgpu: .*adapter/i);
    const again = await pool.load('wgpu-2', onnx, { provider: 'webgpu' });
    expect(again.gpuError).toBe(s.gpuError); // remembered, not retried for every model
    const dml = await pool.load('dml', onnx, { provider: 'dml' });
    expect(dml.provider).toBe('cpu');
    expect(dml.gpuError).toBe(`dml: not in this ONNX Runtime build for ${process.platform}`);
  });
});
