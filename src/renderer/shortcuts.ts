// The keyboard map, one list used by the key handler and the help overlay.
export type ShortcutAction =
  | { tool: 'windowLevel' | 'pan' | 'zoom' | 'length' | 'crosshairs' }
  | { preset: 'lung' | 'mediastinum' | 'bone' | 'brain' }
  | { scroll: number }
  | { command: 'reset' | 'help' };

export const SHORTCUTS: { keys: string; match: string[]; description: string; action: ShortcutAction }[] = [
  { keys: 'W', match: ['w'], description: 'Window/level tool', action: { tool: 'windowLevel' } },
  { keys: 'P', match: ['p'], description: 'Pan tool', action: { tool: 'pan' } },
  { keys: 'Z', match: ['z'], description: 'Zoom tool', action: { tool: 'zoom' } },
  { keys: 'L', match: ['l'], description: 'Length measurement (mm)', action: { tool: 'length' } },
  { keys: 'C', match: ['c'], description: 'Crosshairs (CT)', action: { tool: 'crosshairs' } },
  { keys: '1', match: ['1'], description: 'Lung window (−600/1500)', action: { preset: 'lung' } },
  { keys: '2', match: ['2'], description: 'Mediastinum window (40/400)', action: { preset: 'mediastinum' } },
  { keys: '3', match: ['3'], description: 'Bone window (400/1800)', action: { preset: 'bone' } },
  { keys: '4', match: ['4'], description: 'Brain window (40/80)', action: { preset: 'brain' } },
  { keys: '↑ / ↓', match: ['ArrowUp', 'ArrowDown'], description: 'Previous / next slice', action: { scroll: 1 } },
  { keys: 'PgUp / PgDn', match: ['PageUp', 'PageDown'], description: '10 slices back / forward', action: { scroll: 10 } },
  { keys: 'R', match: ['r'], description: 'Reset view (zoom, pan, window)', action: { command: 'reset' } },
  { keys: '?', match: ['?'], description: 'Show this help', action: { command: 'help' } },
];

/** Direction of a scroll key: up/back is −1. */
export const scrollSign = (key: string): number => (key === 'ArrowUp' || key === 'PageUp' ? -1 : 1);
