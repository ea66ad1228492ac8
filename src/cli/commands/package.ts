// `package --model DIR`: checks a model package folder (manifest, self-contained ONNX) and writes
// the sha256 of model.onnx into model.json, so a damaged or replaced model.onnx is refused at import.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../../main/engine/io/atomic';
import { checkOnnx, ModelPackageError, parseManifest } from '../../main/engine/models/readPackage';
import { PackageFileError, readFromFolder } from '../../main/engine/models/packageFiles';
import { type Command, CommandFailure, UsageError } from '../command';

export const packageCommand: Command = {
  summary: 'check a model package folder and write the sha256 of model.onnx into its model.json',
  usage: 'package --model DIR',
  async run(args) {
    const { values } = parseArgs({ args, strict: true, options: { model: { type: 'string' } } });
    if (!values.model) throw new UsageError('--model is required');
    const dir = values.model;
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory())
      throw new CommandFailure(`${dir} is ${info ? 'not a folder' : 'not there'}: --model takes the package folder holding model.json and model.onnx`);
    try {
      const { json, onnx } = await readFromFolder(dir);
      checkOnnx(onnx);
      const sha256 = createHash('sha256').update(onnx).digest('hex');
      // The file as written by its author (not the parsed form, which fills defaults), plus the checksum.
      const raw = JSON.parse(new TextDecoder().decode(json)) as Record<string, unknown>;
      const previous = raw.sha256;
      raw.sha256 = sha256;
      parseManifest(new TextEncoder().encode(JSON.stringify(raw)));
      const file = path.join(dir, 'model.json');
      await writeFileAtomic(file, JSON.stringify(raw, null, 2) + '\n');
      const note = previous === sha256 ? ' (unchanged)' : previous ? ` (replaced ${String(previous).slice(0, 12)}…)` : '';
      process.stdout.write(`model.onnx sha256 ${sha256}${note}; wrote ${file}\n`);
    } catch (err) {
      if (err instanceof PackageFileError || err instanceof ModelPackageError) throw new CommandFailure(err.message);
      if (err instanceof SyntaxError) throw new CommandFailure(`model.json is not valid JSON (${err.message})`);
      throw err;
    }
  },
};
