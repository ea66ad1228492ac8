// `fuzz [--count N] [--seed S] [--out FILE]`: a seeded fuzz campaign over the study opener (see
// src/cli/fuzz): every case must end "opened" or "refused with a message naming the file". Writes
// the summary (outcomes, findings, slowest case, peak memory) as JSON; exit 1 when anything else
// happened (raw errors, unnamed refusals, non-finite volumes, hangs, memory beyond the budget).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCampaign } from '../fuzz/campaign';
import { type Command, CommandFailure, UsageError } from '../command';

export const fuzzCommand: Command = {
  summary: 'fuzz the study opener (mutated DICOM files and series) and the model importer (mutated packages); seeded; writes a JSON summary',
  usage:
    'fuzz [--count N (DICOM cases, default 1000)] [--packages K (model-package cases, default 0)] [--seed S (default 1)] [--out FILE (default fuzz-summary.json)]',
  async run(args) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: { count: { type: 'string' }, packages: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
    });
    const count = Number(values.count ?? 1000);
    const packages = Number(values.packages ?? 0);
    if (!Number.isInteger(packages) || packages < 0) throw new UsageError(`--packages must be a whole number, got "${values.packages}"`);
    const seed = Number(values.seed ?? 1);
    if (!Number.isInteger(count) || count < 1) throw new UsageError(`--count must be a positive integer, got "${values.count}"`);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
    const out = path.resolve(values.out ?? 'fuzz-summary.json');
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'explicare-fuzz-'));
    try {
      const summary = await runCampaign({
        count,
        packages,
        seed,
        workDir,
        onCase: (i, label, r) => {
          if (r.outcome !== 'opened' && r.outcome !== 'refused') process.stderr.write(`case ${i}: ${r.outcome}: ${label}: ${r.detail}\n`);
          if ((i + 1) % 500 === 0) process.stderr.write(`${i + 1}/${count} cases\n`);
        },
      });
      const command = `npm run fuzz -- --count ${count}${packages ? ` --packages ${packages}` : ''} --seed ${seed}`;
      await writeFile(out, JSON.stringify({ command, date: new Date().toISOString(), ...summary }, null, 2) + '\n');
      process.stdout.write(
        `${summary.cases} cases in ${summary.totalSeconds} s: ${Object.entries(summary.outcomes)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}; slowest ${summary.slowestMs} ms; summary in ${out}\n`,
      );
      if (summary.findings.length > 0) throw new CommandFailure(`${summary.findings.length} finding(s): see ${out}`);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  },
};
