// The result files of `evaluate` moved into the engine (src/main/engine/evaluation/evaluateSummary.ts)
// so the app's cluster panel writes them with the same code as the CLI; this keeps the CLI's imports.
export * from '../main/engine/evaluation/evaluateSummary';
