export type { HttpDirectoryOptions } from './http-directory.ts';
export { openHttpDirectory } from './http-directory.ts';
export { checkHttpDirectorySettings } from './settings.ts';
