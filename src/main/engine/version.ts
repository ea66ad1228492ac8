// The product version, from package.json, for reports and the about box.
import pkg from '../../../package.json' with { type: 'json' };

export const APP_VERSION: string = pkg.version;
