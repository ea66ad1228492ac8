/**
 * dicom-parser ships a webpack UMD bundle: under Node ESM its functions sit on the
 * default export only, while bundlers may expose them as named exports. Resolve once.
 */
import * as namespace from 'dicom-parser';

type DicomParserLib = typeof namespace;

const lib: DicomParserLib = (namespace as unknown as { default?: DicomParserLib }).default ?? namespace;

export default lib;
export type { DataSet, Element, Fragment } from 'dicom-parser';
