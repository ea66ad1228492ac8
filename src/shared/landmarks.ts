// The 19 cephalometric landmarks of the ISBI 2015 challenge (Wang et al., Med Image Anal 2016),
// in the challenge's order: landmark files, models and reports all index them this way.

export interface LandmarkDefinition {
  name: string;
  abbreviation: string;
}

export const ISBI_LANDMARKS: readonly LandmarkDefinition[] = [
  { name: 'Sella', abbreviation: 'S' },
  { name: 'Nasion', abbreviation: 'N' },
  { name: 'Orbitale', abbreviation: 'Or' },
  { name: 'Porion', abbreviation: 'Po' },
  { name: 'Subspinale (A point)', abbreviation: 'A' },
  { name: 'Supramentale (B point)', abbreviation: 'B' },
  { name: 'Pogonion', abbreviation: 'Pog' },
  { name: 'Menton', abbreviation: 'Me' },
  { name: 'Gnathion', abbreviation: 'Gn' },
  { name: 'Gonion', abbreviation: 'Go' },
  { name: 'Lower incisal incision', abbreviation: 'LIT' },
  { name: 'Upper incisal incision', abbreviation: 'UIT' },
  { name: 'Upper lip', abbreviation: 'UL' },
  { name: 'Lower lip', abbreviation: 'LL' },
  { name: 'Subnasale', abbreviation: 'Sn' },
  { name: 'Soft tissue pogonion', abbreviation: "Pog'" },
  { name: 'Posterior nasal spine', abbreviation: 'PNS' },
  { name: 'Anterior nasal spine', abbreviation: 'ANS' },
  { name: 'Articulare', abbreviation: 'Ar' },
] as const;

/** Pixel spacing of the ISBI 2015 images, mm. */
export const ISBI_PIXEL_SPACING_MM = 0.1;
