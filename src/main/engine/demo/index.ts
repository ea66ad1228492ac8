// Seeded synthetic demo studies (plain Node; no Electron): a chest CT with lung nodules and a
// lateral cephalogram with the 19 ISBI landmarks, each with its ground truth beside it.
export { type CephDemoOptions, type CephDemoResult, DX_FOR_PRESENTATION, generateCeph, planCeph } from './ceph';
export { CT_IMAGE_STORAGE, type CtDemoOptions, type CtDemoResult, ctGeometry, generateCtStudy } from './ct';
