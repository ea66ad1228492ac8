// The explanation methods the app offers: the shared descriptors (shared/explainMethods.ts), so the
// app lists exactly the methods the engine runs, with one name and description each.
export { EXPLAIN_METHODS as METHODS, methodDescriptor, methodLabel, progressUnit, type MethodId } from '../shared/explainMethods';
