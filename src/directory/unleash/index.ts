export type { UnleashDirectoryOptions } from './unleash-directory.ts';
export { checkUnleashDirectorySettings, openUnleashDirectory } from './unleash-directory.ts';
