// A user's explanation option that cannot work (a target the model does not have, q outside (0, 1),
// a chunk larger than the grid, too few samples): shown to the user as it is, naming the option.
export class ExplainOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExplainOptionError';
  }
}
