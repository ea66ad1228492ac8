// Cine: steps through the slices at a fixed rate, back and forth (at the last slice it turns
// around instead of jumping back, so the anatomy moves continuously).

/**
 * Calls `step(direction)` `fps` times a second; `step` returns where the view now is (any value
 * that changes when the slice changes). When a step changes nothing, the direction turns.
 * Returns the function that stops it.
 */
/** Slices a second (the stop test of the e2e suite watches for a few of these periods). */
export const CINE_FPS = 10;

export function startCine(step: (direction: 1 | -1) => unknown, fps = CINE_FPS): () => void {
  let direction: 1 | -1 = 1;
  let last: unknown = undefined;
  const timer = setInterval(() => {
    const now = step(direction);
    if (now === last) {
      direction = direction === 1 ? -1 : 1;
      last = step(direction);
    } else last = now;
  }, 1000 / fps);
  return () => clearInterval(timer);
}
