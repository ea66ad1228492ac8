// Errors thrown while building a gradient model.

/** An op on the differentiation path has no backward rule. */
export class UnsupportedOpError extends Error {
  readonly opType: string;
  readonly nodeName: string;
  constructor(opType: string, nodeName: string, detail?: string) {
    super(`no gradient rule for op "${opType}" (node "${nodeName}")${detail ? `: ${detail}` : ''}`);
    this.name = 'UnsupportedOpError';
    this.opType = opType;
    this.nodeName = nodeName;
  }
}

/** The request or the model cannot be differentiated (unknown tensor, non-float output, ...). */
export class GradientModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GradientModelError';
  }
}
