// Security items 4 and 6 of issue K and the model-package robustness items: no external data, no
// zip bomb, no named pipe or device read as a package file, a checksum that refuses a damaged
// model.onnx, a bounded manifest, and messages that say what is wrong with what.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { zipSync } from 'fflate';
import { FunctionProtoSchema, ModelProtoSchema, TensorProto_DataLocation, type GraphProtoSchema, type TensorProtoSchema } from 'onnx-buf';

type GraphInit = MessageInitShape<typeof GraphProtoSchema>;
type TensorInit = MessageInitShape<typeof TensorProtoSchema>;
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { externalDataTensors } from '../../src/main/engine/models/onnxExternalData';
import { readModelPackage } from '../../src/main/engine/models/readPackage';

const FIXTURE = 'test/fixtures/models/tiny-ct-classifier';
const manifest = () => JSON.parse(readFileSync(path.join(FIXTURE, 'model.json'), 'utf8'));
let work: string;
beforeEach(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'explicare-model-sec-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function folder(onnx: Uint8Array | null, json: unknown = manifest()): string {
  const dir = mkdtempSync(path.join(work, 'pkg-'));
  if (onnx) writeFileSync(path.join(dir, 'model.onnx'), onnx);
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  return dir;
}

const externalTensor = (name: string): TensorInit => ({
  name,
  dims: [1n],
  dataType: 1,
  dataLocation: TensorProto_DataLocation.EXTERNAL,
  externalData: [{ key: 'location', value: '../../../../etc/passwd' }],
});
const model = (graph: GraphInit, extra: Record<string, unknown> = {}) =>
  toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, graph, ...extra } as never));

describe('ONNX external data', () => {
  it('finds external tensors in the graph, in subgraphs of node attributes, in sparse initializers and in functions', () => {
    const sub: GraphInit = { name: 'then', initializer: [externalTensor('deep')] };
    const cases: [string, Uint8Array][] = [
      ['initializer', model({ initializer: [externalTensor('w1')] })],
      [
        'If subgraph',
        model({
          node: [
            { opType: 'If', attribute: [{ name: 'then_branch', type: 5, g: { node: [{ opType: 'Loop', attribute: [{ name: 'body', type: 5, g: sub }] }] } }] },
          ],
        }),
      ],
      ['attribute tensor', model({ node: [{ opType: 'Constant', attribute: [{ name: 'value', type: 4, t: externalTensor('c') }] }] })],
      [
        'sparse initializer',
        model({ sparseInitializer: [{ values: externalTensor('sv'), indices: { name: 'si', dims: [1n], dataType: 7, int64Data: [0n] } }] }),
      ],
      [
        'function',
        model(
          {},
          {
            functions: [
              create(FunctionProtoSchema, { name: 'f', node: [{ opType: 'Constant', attribute: [{ name: 'value', type: 4, t: externalTensor('fc') }] }] }),
            ],
          },
        ),
      ],
    ];
    for (const [what, bytes] of cases) expect(externalDataTensors(bytes), what).toHaveLength(1);
    expect(externalDataTensors(readFileSync(path.join(FIXTURE, 'model.onnx')))).toEqual([]);
  });

  it('refuses a package whose model.onnx uses external data', async () => {
    const dir = folder(model({ initializer: [{ name: 'ok', dims: [1n], dataType: 1, floatData: [1] }, externalTensor('weights')] }));
    await expect(readModelPackage(dir)).rejects.toThrow(/model\.onnx keeps 1 tensor\(s\) \("weights"\) in external data files; only self-contained models/);
  });
});

/** Sets the declared uncompressed size of model.onnx (local header and central directory). */
function declareSize(zip: Uint8Array, size: number): Buffer {
  const b = Buffer.from(zip);
  const named = (at: number) => b.toString('latin1', at, at + 10) === 'model.onnx';
  for (let i = 0; i + 4 <= b.length; i++) {
    if (b.readUInt32LE(i) === 0x04034b50 && named(i + 30)) b.writeUInt32LE(size, i + 22);
    if (b.readUInt32LE(i) === 0x02014b50 && named(i + 46)) b.writeUInt32LE(size, i + 24);
  }
  return b;
}

describe('zip packages', () => {
  const onnx = () => readFileSync(path.join(FIXTURE, 'model.onnx'));
  const zipOf = (files: Record<string, Uint8Array>) => zipSync(files, { level: 6 });
  const write = (name: string, bytes: Uint8Array) => {
    const file = path.join(work, name);
    writeFileSync(file, bytes);
    return file;
  };

  it('reads a sound package', async () => {
    const pkg = await readModelPackage(write('ok.zip', zipOf({ 'm/model.json': Buffer.from(JSON.stringify(manifest())), 'm/model.onnx': onnx() })));
    expect(pkg.onnx.byteLength).toBe(onnx().length);
  });

  it('refuses a declared size above the limit before inflating (a 4 GiB declaration in a small zip)', async () => {
    const zip = declareSize(zipOf({ 'model.json': Buffer.from(JSON.stringify(manifest())), 'model.onnx': Buffer.alloc(4 * 2 ** 20) }), 0xfffffff0);
    const t0 = performance.now();
    await expect(readModelPackage(write('declared.zip', zip))).rejects.toThrow(/model\.onnx declares 4294967280 bytes, above the 2147483648 byte limit/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('stops inflating at the declared size (a bomb that lies small) and refuses impossible ratios', async () => {
    const bomb = zipOf({ 'model.json': Buffer.from(JSON.stringify(manifest())), 'model.onnx': Buffer.alloc(64 * 2 ** 20) });
    const rssBefore = process.memoryUsage().rss;
    await expect(readModelPackage(write('lies-small.zip', declareSize(bomb, 4096)))).rejects.toThrow(
      /inflates to more than the 4096 bytes the archive declares/,
    );
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(48 * 2 ** 20);
    await expect(readModelPackage(write('ratio.zip', declareSize(bomb, 2 ** 31 - 16)))).rejects.toThrow(/not possible: a damaged or crafted archive/);
  });

  it('checks the CRC-32 of what it inflates', async () => {
    const zip = Buffer.from(zipOf({ 'model.json': Buffer.from(JSON.stringify(manifest())), 'model.onnx': onnx() }));
    for (let i = 0; i + 4 <= zip.length; i++)
      if (zip.readUInt32LE(i) === 0x02014b50 && zip.toString('latin1', i + 46, i + 56) === 'model.onnx')
        zip.writeUInt32LE((zip.readUInt32LE(i + 16) ^ 1) >>> 0, i + 16);
    await expect(readModelPackage(write('crc.zip', zip))).rejects.toThrow(/model\.onnx fails its CRC check/);
  });
});

describe('package files that are not regular files', () => {
  it('refuses a named pipe or /dev/zero as model.onnx, model.json or package.zip at once', async () => {
    const fifoDir = folder(null);
    execFileSync('mkfifo', [path.join(fifoDir, 'model.onnx')]);
    await expect(readModelPackage(fifoDir)).rejects.toThrow(/model\.onnx in the package folder is a named pipe, not a regular file/);
    const zeroDir = folder(null);
    symlinkSync('/dev/zero', path.join(zeroDir, 'model.onnx'));
    await expect(readModelPackage(zeroDir)).rejects.toThrow(/model\.onnx in the package folder is a character device/);
    const jsonPipe = mkdtempSync(path.join(work, 'jp-'));
    copyFileSync(path.join(FIXTURE, 'model.onnx'), path.join(jsonPipe, 'model.onnx'));
    execFileSync('mkfifo', [path.join(jsonPipe, 'model.json')]);
    await expect(readModelPackage(jsonPipe)).rejects.toThrow(/model\.json in the package folder is a named pipe/);
    const zipPipe = path.join(work, 'package.zip');
    execFileSync('mkfifo', [zipPipe]);
    await expect(readModelPackage(zipPipe)).rejects.toThrow(/is a named pipe; a model package is a folder or a \.zip/);
    symlinkSync('/dev/zero', path.join(work, 'zero.zip'));
    await expect(readModelPackage(path.join(work, 'zero.zip'))).rejects.toThrow(/is a device/);
  }, 10_000);
});

describe('messages that say what is wrong with what', () => {
  it('an empty location, a 3 GB model.onnx, a dangling link, a folder in place of a file', async () => {
    await expect(readModelPackage('')).rejects.toThrow('no model package location was given (the path is empty)');
    const big = folder(null);
    writeFileSync(path.join(big, 'model.onnx'), '');
    truncateSync(path.join(big, 'model.onnx'), 3 * 2 ** 30); // sparse: no disk used
    await expect(readModelPackage(big)).rejects.toThrow(/model\.onnx is too large: 3\.0 GiB, above the 2\.0 GiB limit/);
    const dangling = folder(null);
    symlinkSync(path.join(work, 'gone'), path.join(dangling, 'model.onnx'));
    await expect(readModelPackage(dangling)).rejects.toThrow(/model\.onnx in the package folder is a symbolic link to something that does not exist/);
    const dirInstead = folder(null);
    mkdirSync(path.join(dirInstead, 'model.onnx'));
    await expect(readModelPackage(dirInstead)).rejects.toThrow(/model\.onnx in the package folder is a folder/);
    const linkedFolder = path.join(work, 'linked');
    symlinkSync(folder(readFileSync(path.join(FIXTURE, 'model.onnx'))), linkedFolder);
    expect((await readModelPackage(linkedFolder)).manifest.name).toMatch(/Tiny CT/);
    await expect(readModelPackage(path.join(work, 'nothing-here'))).rejects.toThrow(/nothing-here does not exist/);
  });
});

describe('model.onnx checksum', () => {
  it('package writes the sha256; a changed byte is refused; a package without one gets a warning', async () => {
    const onnx = readFileSync(path.join(FIXTURE, 'model.onnx'));
    const dir = folder(onnx);
    expect((await readModelPackage(dir)).warnings.join()).toMatch(/no sha256 of model\.onnx.*npm run cli -- package --model DIR/);
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
    try {
      expect(await main(['package', '--model', dir])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    const sha = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')).sha256;
    expect(out.join('')).toContain(sha);
    const pkg = await readModelPackage(dir);
    expect(pkg.warnings).toEqual([]);
    expect(pkg.sha256).toBe(sha);
    const flipped = Buffer.from(onnx);
    flipped[flipped.length - 5] ^= 0x10;
    writeFileSync(path.join(dir, 'model.onnx'), flipped);
    await expect(readModelPackage(dir)).rejects.toThrow(
      /model\.onnx does not match model\.json: its sha256 is [0-9a-f]{12}…, model\.json expects [0-9a-f]{12}… \(the file is damaged or was replaced\)/,
    );
    expect(await main(['constructor'])).toBe(1); // a prototype key is not a command
  });
});

describe('manifest bounds', () => {
  it('refuses absurd but formerly schema-valid numbers', async () => {
    const onnx = readFileSync(path.join(FIXTURE, 'model.onnx'));
    const m = manifest();
    const variants: [string, (x: typeof m) => void, RegExp][] = [
      ['width 5e-324', (x) => (x.preprocessing.intensity.width = 5e-324), /preprocessing\.intensity\.width/],
      ['center 1e308', (x) => (x.preprocessing.intensity.center = 1e308), /preprocessing\.intensity\.center/],
      ['output range 1e308', (x) => (x.preprocessing.intensity.output = [-1e308, 1e308]), /preprocessing\.intensity\.output/],
      ['batch 1e20', (x) => (x.input.shape[0] = 1e20), /input\.shape\.0/],
      ['sha256 not hex', (x) => (x.sha256 = 'abc'), /sha256: must be the 64 hex digits/],
    ];
    for (const [what, change, message] of variants) {
      const x = manifest();
      change(x);
      await expect(readModelPackage(folder(onnx, x)), what).rejects.toThrow(message);
    }
  });
});
