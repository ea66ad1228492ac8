// Content items of a DICOM Structured Report (PS3.3 C.17.3) as naturalized dcmjs datasets: one
// small constructor per value type, so the template code reads like the template tables.
import type { NaturalDataset } from '../io/dicomWrite';
import type { CodedConcept } from './codes';
import { decimalString } from './functionalGroups';

export type Relationship = 'CONTAINS' | 'HAS CONCEPT MOD' | 'HAS OBS CONTEXT' | 'HAS PROPERTIES' | 'INFERRED FROM' | 'SELECTED FROM';
export type ContentItem = NaturalDataset;

const item = (rel: Relationship | undefined, valueType: string, concept: CodedConcept | undefined, rest: NaturalDataset): ContentItem => ({
  ...(rel ? { RelationshipType: rel } : {}),
  ValueType: valueType,
  ...(concept ? { ConceptNameCodeSequence: [{ ...concept }] } : {}),
  ...rest,
});

export function container(rel: Relationship | undefined, concept: CodedConcept, children: ContentItem[], template?: string): ContentItem {
  return item(rel, 'CONTAINER', concept, {
    ContinuityOfContent: 'SEPARATE',
    ...(template ? { ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: template }] } : {}),
    ...(children.length ? { ContentSequence: children } : {}),
  });
}

export function text(rel: Relationship, concept: CodedConcept, value: string): ContentItem {
  if (value === '') throw new RangeError(`empty text for ${concept.CodeMeaning}`);
  return item(rel, 'TEXT', concept, { TextValue: value.slice(0, 1024) });
}

export function codeItem(rel: Relationship, concept: CodedConcept, value: CodedConcept): ContentItem {
  return item(rel, 'CODE', concept, { ConceptCodeSequence: [{ ...value }] });
}

export function uidRef(rel: Relationship, concept: CodedConcept, uid: string): ContentItem {
  return item(rel, 'UIDREF', concept, { UID: uid });
}

export function num(rel: Relationship, concept: CodedConcept, value: number, unit: CodedConcept, children: ContentItem[] = []): ContentItem {
  return item(rel, 'NUM', concept, {
    MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: [{ ...unit }], NumericValue: decimalString(value) }],
    ...(children.length ? { ContentSequence: children } : {}),
  });
}

export interface ImageRef {
  sopClassUid: string;
  sopInstanceUid: string;
}

export function image(rel: Relationship, concept: CodedConcept | undefined, ref: ImageRef): ContentItem {
  return item(rel, 'IMAGE', concept, { ReferencedSOPSequence: [{ ReferencedSOPClassUID: ref.sopClassUid, ReferencedSOPInstanceUID: ref.sopInstanceUid }] });
}

/** A 2D point in image pixel coordinates (column, row; 0,0 = top left corner of the top left pixel), selected from `ref`. */
export function point(rel: Relationship, concept: CodedConcept, columnRow: [number, number], ref: ImageRef): ContentItem {
  return item(rel, 'SCOORD', concept, {
    GraphicType: 'POINT',
    GraphicData: [columnRow[0], columnRow[1]],
    ContentSequence: [image('SELECTED FROM', undefined, ref)],
  });
}
