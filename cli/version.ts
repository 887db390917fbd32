export { drtpVersion } from '../lib/version.js';
