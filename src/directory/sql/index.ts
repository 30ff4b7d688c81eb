export { checkSqlDirectorySettings, openSqlDirectory, type SqlDirectoryOptions } from './sql-directory.ts';
export { HASH_FORMATS, type HashFormat } from './password-formats.ts';
