// CT window presets in Hounsfield units (centre / width), as radiologists name them.
export interface WindowPreset {
  id: 'lung' | 'mediastinum' | 'bone' | 'brain';
  label: string;
  center: number;
  width: number;
}

export const WINDOW_PRESETS: readonly WindowPreset[] = [
  { id: 'lung', label: 'Lung', center: -600, width: 1500 },
  { id: 'mediastinum', label: 'Mediastinum', center: 40, width: 400 },
  { id: 'bone', label: 'Bone', center: 400, width: 1800 },
  { id: 'brain', label: 'Brain', center: 40, width: 80 },
];
