// The clients' plain calls built from shared/apiCalls.ts: each listed method sends its own name,
// its argument object ({} when called without one) and the reply kind the list gives it.
import { describe, expect, it } from 'vitest';
import { API_CALLS, buildCalls, type ReplyKind } from '../../src/shared/apiCalls';

describe('buildCalls', () => {
  const sent: [string, object, ReplyKind][] = [];
  const api = buildCalls(async (method, args, reply) => {
    sent.push([method, args, reply]);
    return reply === 'binary' ? new ArrayBuffer(4) : { method };
  });

  it('builds exactly the listed methods', () => {
    expect(Object.keys(api).sort()).toEqual(Object.keys(API_CALLS).sort());
  });

  it('sends name, arguments and reply kind, and returns what the transport decoded', async () => {
    sent.length = 0;
    const args = { jobId: 'job-1', target: 0, partial: false, layer: 'map' as const };
    const map = await api.getExplanationMap(args);
    expect(map.byteLength).toBe(4);
    expect(await api.listJobs()).toEqual({ method: 'listJobs' });
    expect(sent).toEqual([
      ['getExplanationMap', args, 'binary'],
      ['listJobs', {}, 'json'],
    ]);
  });
});
