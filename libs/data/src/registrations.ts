import * as path from 'node:path';
import { DEFAULT_REGISTRATIONS, type RegistrationModule } from './loading/loader-source';

/** Every dataset and transform of this library, as modules that loader threads can load by path. */
export const DATA_REGISTRATIONS: readonly RegistrationModule[] = [
  ...DEFAULT_REGISTRATIONS,
  { module: path.join(__dirname, 'register-real'), exportName: 'registerRealDatasets' },
];
