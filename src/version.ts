/** The product name and version written into capture files (shb_userappl) and reports. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const manifest = require('../package.json') as { version: string };

export const PRODUCT_VERSION = manifest.version;
export const PRODUCT_NAME_AND_VERSION = `zctrace ${manifest.version}`;
