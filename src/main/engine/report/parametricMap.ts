// Parametric Map Storage of one explanation map: the saliency resampled onto the study's voxel
// grid, one frame per source slice (frame k covers slice k), so 3D Slicer and OHIF can overlay it
// on the source series without any resampling of their own. The values are stored as 16-bit
// integers with a Real World Value Mapping (mapQuantization.ts) and the frames are streamed to disk
// one slice at a time (parametricMapFile.ts); this module builds everything but the pixels.
import type { NaturalDataset } from '../io/dicomWrite';
import { dicomDateTime } from './derivedUids';
import {
  IDENTITY_TRANSFORMATION,
  IMAGE_POSITION_INDEX,
  commonInstanceReference,
  decimalString,
  derivationImage,
  equipment,
  planePosition,
  sharedGeometryGroups,
  type MultiFrameDerivedArgs,
} from './functionalGroups';
import { RESAMPLED, anatomyOf, saliencyConcept } from './codes';
import type { Quantization } from './mapQuantization';
import { patientStudyAttributes } from './studySource';

export const PARAMETRIC_MAP_STORAGE = '1.2.840.10008.5.1.4.1.1.30';

export interface ParametricMapArgs extends MultiFrameDerivedArgs {
  method: string;
  description: string;
}

/** The header of the Parametric Map (no Pixel Data; the frames come from parametricMapFile.ts): 16-bit unsigned pixels mapped by `q` to real values. */
export function parametricMapHeader(a: ParametricMapArgs, q: Quantization): NaturalDataset {
  const [nx, ny, nz] = a.geometry.dimensions;
  if (a.sources.length !== nz) throw new RangeError(`${nz} slices but ${a.sources.length} source images`);
  const { date, time } = dicomDateTime(a.created);
  const anatomy = anatomyOf(a.sourceDataset);
  // Image Flavor: a volume (stack of slices) or one projection image; Derived Pixel Contrast: none of the defined ones
  const imageType = ['DERIVED', 'PRIMARY', nz > 1 ? 'VOLUME' : 'PROJECTION', 'NONE'];
  return {
    SpecificCharacterSet: a.sourceDataset.SpecificCharacterSet ?? 'ISO_IR 100',
    SOPClassUID: PARAMETRIC_MAP_STORAGE,
    SOPInstanceUID: a.sopInstanceUid,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    ...patientStudyAttributes(a.sourceDataset),
    // General Series + Parametric Map Series
    Modality: String(a.sourceDataset.Modality ?? 'OT'),
    SeriesInstanceUID: a.seriesInstanceUid,
    SeriesNumber: a.seriesNumber,
    SeriesDescription: 'Explicare saliency maps', // one series holds the map of every method
    SeriesDate: date,
    SeriesTime: time,
    // Frame of Reference
    FrameOfReferenceUID: a.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    ...equipment(),
    // General Image, Parametric Map Image, Content Identification
    ImageType: imageType,
    InstanceNumber: a.instanceNumber,
    ContentDate: date,
    ContentTime: time,
    ContentLabel: a.method
      .toUpperCase()
      .replace(/[^A-Z0-9_ ]/g, '_')
      .slice(0, 16),
    ContentDescription: a.description.slice(0, 64),
    ContentCreatorName: '',
    ContentQualification: 'RESEARCH',
    BurnedInAnnotation: 'NO',
    RecognizableVisualFeatures: 'NO',
    LossyImageCompression: '00',
    PresentationLUTShape: 'IDENTITY',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 0, // unsigned even for maps with negative values: see mapQuantization.ts
    Rows: ny,
    Columns: nx,
    NumberOfFrames: nz,
    AcquisitionContextSequence: [],
    // Multi-frame Dimension: frames ordered by their position along the slice normal
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: a.dimensionOrganizationUid }],
    DimensionOrganizationType: '3D',
    DimensionIndexSequence: [{ DimensionOrganizationUID: a.dimensionOrganizationUid, ...IMAGE_POSITION_INDEX, DimensionDescriptionLabel: 'Image Position' }],
    SharedFunctionalGroupsSequence: [
      {
        ...sharedGeometryGroups(a.geometry),
        ...(anatomy ? { FrameAnatomySequence: [{ AnatomicRegionSequence: [anatomy], FrameLaterality: 'U' }] } : {}),
        ...IDENTITY_TRANSFORMATION,
        // The window applies to stored values (the pixel value transformation is the identity): the map's whole range
        FrameVOILUTSequence: [
          { WindowCenter: decimalString((q.first + q.last) / 2), WindowWidth: decimalString(Math.max(q.last - q.first, 1)), VOILUTFunction: 'LINEAR_EXACT' },
        ],
        ParametricMapFrameTypeSequence: [{ FrameType: imageType }],
        RealWorldValueMappingSequence: [
          {
            LUTExplanation: `${a.method} saliency (model output attribution, arbitrary units)`.slice(0, 64),
            LUTLabel: a.method.slice(0, 16),
            MeasurementUnitsCodeSequence: [{ CodeValue: '1', CodingSchemeDesignator: 'UCUM', CodeMeaning: 'no units' }],
            // real value = stored * slope + intercept, for the stored values the map uses
            RealWorldValueFirstValueMapped: q.first,
            RealWorldValueLastValueMapped: q.last,
            RealWorldValueIntercept: q.intercept,
            RealWorldValueSlope: q.slope,
            // dcmjs's dictionary gives these "US or SS" (it reads a _vrMap per item): the pixels are unsigned
            _vrMap: { RealWorldValueFirstValueMapped: 'US', RealWorldValueLastValueMapped: 'US' },
            QuantityDefinitionSequence: [
              {
                ValueType: 'CODE',
                ConceptNameCodeSequence: [{ CodeValue: '246205007', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Quantity' }],
                ConceptCodeSequence: [saliencyConcept(a.method)],
              },
            ],
          },
        ],
      },
    ],
    PerFrameFunctionalGroupsSequence: a.sources.map((source, k) => ({
      FrameContentSequence: [{ DimensionIndexValues: [k + 1] }],
      ...planePosition(a.geometry, k),
      ...derivationImage(source, RESAMPLED, `${a.method} saliency, computed on the model grid and resampled onto this slice`),
    })),
    ...commonInstanceReference(a.sourceSeriesUid, a.sources),
  };
}
