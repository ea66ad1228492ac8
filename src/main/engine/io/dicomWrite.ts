// Serialises a dcmjs "naturalized" dataset (keywords -> values) as a Part-10 file, Explicit VR
// Little Endian. dcmjs needs `_meta` present (it fills the real meta group from the dataset).
import dcmjs from 'dcmjs';
import { writeFileAtomic } from './atomic';

export type NaturalDataset = Record<string, unknown>;

interface DcmjsData {
  data: { datasetToBuffer(dataset: NaturalDataset): Buffer };
}

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export function dicomBuffer(dataset: NaturalDataset): Buffer {
  const withMeta: NaturalDataset = {
    ...dataset,
    _meta: { TransferSyntaxUID: { Value: [EXPLICIT_VR_LITTLE_ENDIAN] } },
  };
  return (dcmjs as unknown as DcmjsData).data.datasetToBuffer(withMeta);
}

export async function writeDicom(file: string, dataset: NaturalDataset): Promise<void> {
  await writeFileAtomic(file, dicomBuffer(dataset));
}
