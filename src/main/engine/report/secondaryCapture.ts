// Secondary Capture Image Storage (RGB) of a key image with the burned-in overlay, in a new series
// of the source study, referencing the source image it was derived from.
import type { Geometry } from '../../../shared/geometry';
import type { NaturalDataset } from '../io/dicomWrite';
import { APP_VERSION } from '../version';
import type { RgbImage } from './rgbImage';
import { dicomDateTime } from './derivedUids';
import { patientStudyAttributes } from './studySource';

export const SC_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.7';

/** Patient orientation letters (PS3.3 C.7.6.1.1.1) of a direction in LPS patient space. */
export function orientationLetters(v: readonly number[]): string {
  const letters: [string, string][] = [['L', 'R'], ['P', 'A'], ['H', 'F']];
  return [0, 1, 2]
    .map((i) => ({ i, m: Math.abs(v[i]) }))
    .filter((x) => x.m > 0.1)
    .sort((a, b) => b.m - a.m)
    .map(({ i }) => (v[i] > 0 ? letters[i][0] : letters[i][1]))
    .slice(0, 3)
    .join('');
}

export interface SecondaryCaptureArgs {
  image: RgbImage;
  source: { sopClassUid: string; sopInstanceUid: string; dataset: NaturalDataset };
  geometry: Geometry;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  seriesNumber: number;
  instanceNumber: number;
  description: string; // e.g. "mupax saliency on slice 12"
  created: Date;
}

export function secondaryCaptureDataset(a: SecondaryCaptureArgs): NaturalDataset {
  const { date, time } = dicomDateTime(a.created);
  const ref = { ReferencedSOPClassUID: a.source.sopClassUid, ReferencedSOPInstanceUID: a.source.sopInstanceUid };
  const d = a.geometry.direction;
  return {
    SpecificCharacterSet: a.source.dataset.SpecificCharacterSet ?? 'ISO_IR 100',
    SOPClassUID: SC_IMAGE_STORAGE,
    SOPInstanceUID: a.sopInstanceUid,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    ...patientStudyAttributes(a.source.dataset),
    // General Series
    Modality: 'OT',
    SeriesInstanceUID: a.seriesInstanceUid,
    SeriesNumber: a.seriesNumber,
    SeriesDescription: 'Explicare key images',
    Laterality: '', // type 2C: dciodvfy wants it present; empty = unpaired or unknown
    SeriesDate: date,
    SeriesTime: time,
    // General Equipment and SC Equipment
    Manufacturer: 'Explicare',
    ManufacturerModelName: 'Explicare',
    SoftwareVersions: APP_VERSION,
    ConversionType: 'WSD',
    SecondaryCaptureDeviceManufacturer: 'Explicare',
    SecondaryCaptureDeviceManufacturerModelName: 'Explicare report export',
    SecondaryCaptureDeviceSoftwareVersions: APP_VERSION,
    // General Image
    InstanceNumber: a.instanceNumber,
    PatientOrientation: [orientationLetters([d[0], d[1], d[2]]), orientationLetters([d[3], d[4], d[5]])],
    ContentDate: date,
    ContentTime: time,
    ImageType: ['DERIVED', 'SECONDARY'],
    DerivationDescription: a.description.slice(0, 1024),
    ImageComments: 'For research use only. Not for diagnostic use.',
    BurnedInAnnotation: 'YES',
    LossyImageCompression: '00',
    SourceImageSequence: [{ ...ref }],
    ReferencedImageSequence: [{ ...ref }],
    // SC Image
    DateOfSecondaryCapture: date,
    TimeOfSecondaryCapture: time,
    // Image Pixel
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'RGB',
    PlanarConfiguration: 0,
    Rows: a.image.height,
    Columns: a.image.width,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    PixelData: [padEven(a.image.rgb).buffer],
    _vrMap: { PixelData: 'OB' },
  };
}

/** Pixel data of odd length gets one pad byte (PS3.5 7.1). */
function padEven(bytes: Uint8Array): Uint8Array {
  if (bytes.length % 2 === 0) return Uint8Array.from(bytes);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}
