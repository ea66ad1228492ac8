// Comprehensive SR with a TID 1500 Measurement Report of an explain result: the model's finding and
// class probabilities, one measurement group per explanation method (TID 4019 algorithm name,
// version and every parameter; size of its top-k% region; faithfulness AUCs), and for
// cephalograms one group per landmark (predicted point as SCOORD on the source image, ground truth
// point, radial error in mm).
import type { NaturalDataset } from '../io/dicomWrite';
import { APP_VERSION } from '../version';
import { type CodedConcept, PRIVATE_SCHEME, code } from './codes';
import { dicomDateTime } from './derivedUids';
import { type ExplainResult, methodParameters } from './resultFile';
import { type ContentItem, type ImageRef, codeItem, container, image, num, point, text, uidRef } from './srContent';
import { patientStudyAttributes } from './studySource';

export const COMPREHENSIVE_SR_STORAGE = '1.2.840.10008.5.1.4.1.1.88.33';

const DCM = (v: string, m: string) => code(v, 'DCM', m);
const OWN = (v: string, m: string) => code(v.slice(0, 16), PRIVATE_SCHEME, m.slice(0, 64));
const UNITLESS = code('1', 'UCUM', 'no units');
const MM = code('mm', 'UCUM', 'millimeter');

const TRACKING_ID = DCM('112039', 'Tracking Identifier');
const TRACKING_UID = DCM('112040', 'Tracking Unique Identifier');
const FINDING = DCM('121071', 'Finding');
const MEASUREMENT_GROUP = DCM('125007', 'Measurement Group');

export interface MethodSummary {
  method: string;
  /** Voxels in the method's top-k% region and the size of one voxel (mm^3, or mm^2 for a projection image). */
  regionVoxels: number;
  voxelSize: number;
}

export interface StructuredReportArgs {
  result: ExplainResult;
  methods: MethodSummary[];
  topPercent: number;
  isProjection: boolean;
  sources: readonly ImageRef[];
  sourceDataset: NaturalDataset;
  sourceStudyUid: string;
  sourceSeriesUid: string;
  /** Ground-truth landmark pixels by name, when the study has them. */
  truth: Map<string, [number, number]>;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  /** Derives the stable UIDs of tracking identifiers and the device observer. */
  uid: (purpose: string) => string;
  seriesNumber: number;
  instanceNumber: number;
  comment?: string;
  created: Date;
}

/** SR coordinates put 0,0 at the top left corner of the first pixel; engine pixel indices are pixel centres. */
const toSrPoint = (p: readonly [number, number]): [number, number] => [p[0] + 0.5, p[1] + 0.5];

function trackingGroup(a: StructuredReportArgs, id: string, children: ContentItem[]): ContentItem {
  return container('CONTAINS', MEASUREMENT_GROUP, [
    text('HAS OBS CONTEXT', TRACKING_ID, id.slice(0, 64)),
    uidRef('HAS OBS CONTEXT', TRACKING_UID, a.uid(`tracking:${id}`)),
    ...children,
  ]);
}

function algorithm(name: string, version: string, parameters: string[]): ContentItem[] {
  return [
    text('HAS CONCEPT MOD', DCM('111001', 'Algorithm Name'), name),
    text('HAS CONCEPT MOD', DCM('111003', 'Algorithm Version'), version),
    ...parameters.map((p) => text('HAS CONCEPT MOD', DCM('111002', 'Algorithm Parameters'), p)),
  ];
}

function predictionGroup(a: StructuredReportArgs): ContentItem[] {
  const c = a.result.prediction.classification;
  if (!c) return [];
  const model = a.result.model;
  return [
    trackingGroup(a, 'Model prediction', [
      codeItem('CONTAINS', FINDING, OWN(`CLASS-${c.predicted}`, c.classes[c.predicted])),
      ...algorithm(model.name, model.version, [`package sha256 ${model.id}`]),
      ...c.classes.map((name, i) => num('CONTAINS', OWN(`PROBABILITY-${i}`, `Probability of ${name}`), c.probabilities[i], UNITLESS)),
    ]),
  ];
}

function methodGroups(a: StructuredReportArgs): ContentItem[] {
  return a.methods.map((s) => {
    const m = a.result.methods[s.method];
    const params = methodParameters(m).filter(([k]) => !k.startsWith('timing.')).map(([k, v]) => `${k} = ${v}`); // run times are no parameters
    const region = a.isProjection
      ? num('CONTAINS', code('42798000', 'SCT', 'Area'), s.regionVoxels * s.voxelSize, code('mm2', 'UCUM', 'square millimeter'))
      : num('CONTAINS', code('118565006', 'SCT', 'Volume'), s.regionVoxels * s.voxelSize, code('mm3', 'UCUM', 'cubic millimeter'));
    const f = m.metrics?.faithfulness;
    return trackingGroup(a, `${s.method} explanation`, [
      codeItem('CONTAINS', FINDING, OWN(`TOP-REGION`, `Top ${a.topPercent}% saliency region`)),
      ...algorithm(s.method, APP_VERSION, [...params, `targets = ${m.targets.join('; ')}`, `top region = ${a.topPercent}%`]),
      region,
      ...(f
        ? [
            num('CONTAINS', OWN('DELETION-AUC', 'Deletion AUC'), f.deletion.auc, UNITLESS),
            num('CONTAINS', OWN('INSERTION-AUC', 'Insertion AUC'), f.insertion.auc, UNITLESS),
          ]
        : []),
    ]);
  });
}

function landmarkGroups(a: StructuredReportArgs): ContentItem[] {
  const lm = a.result.prediction.landmarks;
  if (!lm) return [];
  const ref = a.sources[0];
  const errors = new Map((lm.errors?.perLandmark ?? []).map((e) => [e.name, e.errorMm]));
  return lm.points.map((p) => {
    const err = errors.get(p.name);
    const truth = a.truth.get(p.name);
    const predicted = point('CONTAINS', OWN('LM-PREDICTED', 'Predicted landmark position'), toSrPoint(p.pixel), ref);
    return trackingGroup(a, `Landmark ${p.name}`, [
      codeItem('CONTAINS', FINDING, OWN(`LM-${p.abbreviation}`, p.name)),
      ...algorithm(a.result.model.name, a.result.model.version, [`package sha256 ${a.result.model.id}`]),
      ...(err === undefined || err === null
        ? []
        : [
            num('CONTAINS', DCM('121206', 'Distance'), err, MM, [
              codeItem('HAS CONCEPT MOD', code('370129005', 'SCT', 'Measurement Method'), OWN('RADIAL-ERROR', 'Radial error to the ground truth landmark')),
              point('INFERRED FROM', OWN('LM-PREDICTED', 'Predicted landmark position'), toSrPoint(p.pixel), ref),
              ...(truth ? [point('INFERRED FROM', OWN('LM-TRUTH', 'Ground truth landmark position'), toSrPoint(truth), ref)] : []),
            ]),
          ]),
      predicted,
    ]);
  });
}

/** CID 100 procedure of the source series (the group has no projection radiography entry: generic imaging). */
function procedure(modality: string): CodedConcept {
  if (modality === 'CT') return code('25045-6', 'LN', 'CT unspecified body region');
  if (modality === 'MR') return code('25056-3', 'LN', 'MRI unspecified body region');
  return code('363679005', 'SCT', 'Imaging procedure');
}

export function structuredReportDataset(a: StructuredReportArgs): NaturalDataset {
  const { date, time } = dicomDateTime(a.created);
  const modality = String(a.sourceDataset.Modality ?? '');
  const root = container(
    undefined,
    DCM('126000', 'Imaging Measurement Report'),
    [
      codeItem('HAS CONCEPT MOD', DCM('121049', 'Language of Content Item and Descendants'), code('en-US', 'RFC5646', 'English (United States)')),
      codeItem('HAS OBS CONTEXT', DCM('121005', 'Observer Type'), DCM('121007', 'Device')),
      uidRef('HAS OBS CONTEXT', DCM('121012', 'Device Observer UID'), a.uid('device-observer')),
      text('HAS OBS CONTEXT', DCM('121013', 'Device Observer Name'), 'Explicare'),
      text('HAS OBS CONTEXT', DCM('121014', 'Device Observer Manufacturer'), 'Explicare'),
      text('HAS OBS CONTEXT', DCM('121015', 'Device Observer Model Name'), `Explicare ${APP_VERSION}`),
      codeItem('HAS CONCEPT MOD', DCM('121058', 'Procedure reported'), procedure(modality)),
      container('CONTAINS', DCM('111028', 'Image Library'), [
        container(
          'CONTAINS',
          DCM('126200', 'Image Library Group'),
          a.sources.map((s) => image('CONTAINS', undefined, s)),
        ),
      ]),
      container('CONTAINS', DCM('126010', 'Imaging Measurements'), [...predictionGroup(a), ...methodGroups(a), ...landmarkGroups(a)]),
      container('CONTAINS', code('C0034375', 'UMLS', 'Qualitative Evaluations'), [
        text('CONTAINS', DCM('121106', 'Comment'), 'For research use only. Not for diagnostic use.'),
        ...(a.comment ? [text('CONTAINS', DCM('121106', 'Comment'), a.comment)] : []),
      ]),
    ],
    '1500',
  );
  return {
    SpecificCharacterSet: a.sourceDataset.SpecificCharacterSet ?? 'ISO_IR 100',
    SOPClassUID: COMPREHENSIVE_SR_STORAGE,
    SOPInstanceUID: a.sopInstanceUid,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    ...patientStudyAttributes(a.sourceDataset),
    Modality: 'SR',
    SeriesInstanceUID: a.seriesInstanceUid,
    SeriesNumber: a.seriesNumber,
    SeriesDescription: 'Explicare measurement report',
    SeriesDate: date,
    SeriesTime: time,
    ReferencedPerformedProcedureStepSequence: [],
    Manufacturer: 'Explicare',
    ManufacturerModelName: 'Explicare',
    SoftwareVersions: APP_VERSION,
    InstanceNumber: a.instanceNumber,
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ContentDate: date,
    ContentTime: time,
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: [
      {
        StudyInstanceUID: a.sourceStudyUid,
        ReferencedSeriesSequence: [
          {
            SeriesInstanceUID: a.sourceSeriesUid,
            ReferencedSOPSequence: a.sources.map((s) => ({ ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid })),
          },
        ],
      },
    ],
    ...root,
  };
}
