export { decodeFrame } from './decodeFrame';
export type { DecodedFrame, PixelArray } from './types';
