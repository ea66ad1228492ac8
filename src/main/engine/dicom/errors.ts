/**
 * Error for any DICOM input we cannot read. `reason` is short user-facing text
 * (no parser internals); `detail` keeps the underlying cause for logs.
 */
export class DicomInputError extends Error {
  readonly reason: string;
  readonly detail?: string;

  constructor(reason: string, detail?: string) {
    super(detail ? `${reason} [${detail}]` : reason);
    this.name = 'DicomInputError';
    this.reason = reason;
    this.detail = detail;
  }
}

/** Text of whatever dicom-parser threw: it throws strings, Errors and `{exception, dataSet}` objects. */
export function describeThrown(thrown: unknown): string {
  if (typeof thrown === 'string') return thrown;
  if (thrown instanceof Error) return thrown.message;
  if (thrown && typeof thrown === 'object' && 'exception' in thrown) {
    return describeThrown((thrown as { exception: unknown }).exception);
  }
  return String(thrown);
}
