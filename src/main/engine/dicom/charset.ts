/**
 * Decode text values (PN, LO, SH, ST, LT, UT, UC) using the data set's Specific
 * Character Set; dicom-parser reads every byte as one Latin-1 character.
 */

import { TextDecoder } from 'node:util';

const LABELS: Record<string, string> = {
  '': 'latin1',
  ISO_IR_6: 'latin1',
  ISO_IR_100: 'latin1',
  ISO_IR_101: 'iso-8859-2',
  ISO_IR_109: 'iso-8859-3',
  ISO_IR_110: 'iso-8859-4',
  ISO_IR_144: 'iso-8859-5',
  ISO_IR_127: 'iso-8859-6',
  ISO_IR_126: 'iso-8859-7',
  ISO_IR_138: 'iso-8859-8',
  ISO_IR_148: 'iso-8859-9',
  ISO_IR_203: 'iso-8859-15',
  ISO_IR_13: 'shift_jis',
  ISO_IR_166: 'windows-874',
  ISO_IR_192: 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

const decoders = new Map<string, TextDecoder>();

/** A decoder for the first listed character set; ISO 2022 code extensions fall back to Latin-1. */
export function textDecoderFor(specificCharacterSet: string | undefined): TextDecoder {
  const first = (specificCharacterSet ?? '').split('\\')[0].trim().replace(/ /g, '_');
  const label = LABELS[first] ?? 'latin1';
  let decoder = decoders.get(label);
  if (!decoder) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = new TextDecoder('latin1');
    }
    decoders.set(label, decoder);
  }
  return decoder;
}
