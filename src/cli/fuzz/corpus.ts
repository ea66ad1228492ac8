// Seeds for the fuzz campaign: real files of many encodings (pydicom's test files: CT, MR, RLE,
// JPEG, JPEG-LS, JPEG 2000, big endian, implicit, deflated, no meta, multi-frame RT dose) and a
// small demo CT series, so series-level mutations (one bad slice among good ones) are covered.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { generateCtStudy } from '../../main/engine/demo';
import { applyEdit } from './attributeMutations';

/** dcmjs takes 36 s and 775 MB to re-encode this one (its RLE Pixel Data): byte mutations only, not even tried. */
const NOT_EDITABLE = new Set(['rtdose_rle.dcm']);

function seed(name: string, bytes: Buffer): SeedFile {
  if (NOT_EDITABLE.has(name)) return { name, bytes, editable: false };
  let editable = false;
  try {
    editable = applyEdit(bytes, 'WindowCenter 0').length <= 2 * bytes.length + 65_536;
  } catch {
    editable = false;
  }
  return { name, bytes, editable };
}

export const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

/** Small image files of distinct encodings (each < 200 KB: mutations stay fast). */
const SINGLE_SEEDS = [
  'CT_small.dcm', 'MR_small.dcm', 'MR_small_RLE.dcm', 'MR_small_bigendian.dcm', 'MR_small_implicit.dcm', 'MR_small_expb.dcm',
  'MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'JPEG-lossy.dcm', 'JPEG2000.dcm', 'SC_rgb_rle_2frame.dcm',
  'SC_rgb_small_odd.dcm', 'SC_ybr_full_422_uncompressed.dcm', 'rtdose.dcm', 'rtdose_rle.dcm', 'liver_1frame.dcm', 'image_dfl.dcm',
  'no_meta.dcm', 'ExplVR_BigEnd.dcm', 'nested_priv_SQ.dcm', 'UN_sequence.dcm', 'test-SR.dcm',
];

export interface SeedFile {
  name: string;
  bytes: Buffer;
  /** dcmjs re-encodes it without blowing up (some seeds come back hundreds of MB larger): attribute mutations allowed. */
  editable: boolean;
}

export interface Corpus {
  singles: SeedFile[];
  /** Each a complete series (every slice). */
  series: SeedFile[][];
}

/** The corpus; the demo series is generated (seeded, 8 slices of 32x32) into `workDir`. */
export async function loadCorpus(workDir: string): Promise<Corpus> {
  const singles = SINGLE_SEEDS.filter((f) => existsSync(path.join(PYDICOM_FILES, f))).map((name) => seed(name, readFileSync(path.join(PYDICOM_FILES, name))));
  const demo = path.join(workDir, 'demo-ct');
  if (!existsSync(demo)) await generateCtStudy({ seed: 9, outDir: demo, slices: 8, rows: 32, columns: 32 });
  const ct = readdirSync(demo).filter((f) => f.endsWith('.dcm')).sort().map((name) => seed(name, readFileSync(path.join(demo, name))));
  singles.push(ct[0]);
  return { singles, series: [ct] };
}
