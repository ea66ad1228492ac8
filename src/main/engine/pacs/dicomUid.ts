// The DICOM UID grammar (PS3.5 9.1) as a guard wherever a UID from a PACS becomes part of a path:
// digits in dot-separated, non-empty components, at most 64 characters. Leading zeros in a
// component break the standard but occur in real archives; they cannot form a path, so they pass.
export function isDicomUid(s: unknown): s is string {
  return typeof s === 'string' && s.length > 0 && s.length <= 64 && /^[0-9]+(\.[0-9]+)*$/.test(s);
}
