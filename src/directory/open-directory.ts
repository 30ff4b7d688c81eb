import type { Directory } from '../core/directory.ts';
import type { Clock, PasswordHasher } from '../core/ports.ts';
import type { Store } from '../core/store.ts';
import { builtinDirectory } from './builtin/builtin-directory.ts';
import type { DirectorySettings } from './directory-settings.ts';

// Each adapter is loaded only when configured: a resetd on its own table loads no database
// driver or HTTP client it does not use.

/** Each directory's own check of its settings: problems name the setting, for the start-up check. */
export async function checkDirectorySettings(settings: DirectorySettings): Promise<string[]> {
  switch (settings.kind) {
    case 'builtin':
      return [];
    case 'sql':
      return (await import('./sql/index.ts')).checkSqlDirectorySettings(settings);
    case 'http':
      return (await import('./http/index.ts')).checkHttpDirectorySettings(settings.url, settings.secret);
    case 'unleash':
      return (await import('./unleash/index.ts')).checkUnleashDirectorySettings(settings.url, settings.token);
  }
}

/** Opens the configured directory. The builtin one is resetd's own users table in `store`. */
export async function openDirectory(settings: DirectorySettings, deps: { store: Store; hasher: PasswordHasher; clock: Clock }): Promise<Directory> {
  switch (settings.kind) {
    case 'builtin':
      return builtinDirectory(deps);
    case 'sql':
      return (await import('./sql/index.ts')).openSqlDirectory(settings);
    case 'http':
      return (await import('./http/index.ts')).openHttpDirectory({ url: settings.url, secret: settings.secret, timeoutMs: settings.timeoutMs });
    case 'unleash':
      return (await import('./unleash/index.ts')).openUnleashDirectory({ url: settings.url, token: settings.token, timeoutMs: settings.timeoutMs });
  }
}
