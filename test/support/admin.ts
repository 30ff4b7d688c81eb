import type { KeyScope } from '../../src/core/api-keys.ts';
import { ADMIN_TOKEN } from './resetd.ts';
import { inParallel } from './waiting.ts';

/**
 * Users and API keys through resetd's admin API, on an in-process test instance or a
 * resetd process alike: anything with the base URL it answers at.
 */
export interface Reachable {
  url: string;
}

/** The API keys `seed` makes, one per dialect that takes one. */
export type ApiKeys = Record<'maiascore' | 'unleash' | 'quickblox', string>;

const postAdmin = (at: Reachable, path: string, body: unknown) =>
  fetch(`${at.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Adds a user and answers its id; any answer but 201 throws. */
export async function addUser(at: Reachable, email: string, extra: Record<string, string | boolean> = {}): Promise<string> {
  const response = await postAdmin(at, '/admin/users', { email, ...extra });
  if (response.status !== 201) throw new Error(`adding ${email}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** Adds each user, `width` at a time, taking the instances in turn when several are given. */
export async function addUsers(at: Reachable | readonly Reachable[], emails: readonly string[], width = 1): Promise<void> {
  const instances: readonly Reachable[] = 'url' in at ? [at] : at;
  await inParallel(emails, width, async (email, i) => {
    await addUser(instances[i % instances.length]!, email);
  });
}

/** Creates an API key for `dialect` (or `resetd`) and answers the key; any answer but 201 throws. */
export async function createApiKey(at: Reachable, dialect: KeyScope): Promise<string> {
  const response = await postAdmin(at, '/admin/api-keys', { dialect });
  if (response.status !== 201) throw new Error(`creating a ${dialect} key: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { key: string }).key;
}

/** Adds the users, then creates one API key for each dialect that takes one. */
export async function seed(at: Reachable, emails: readonly string[]): Promise<ApiKeys> {
  await addUsers(at, emails);
  return { maiascore: await createApiKey(at, 'maiascore'), unleash: await createApiKey(at, 'unleash'), quickblox: await createApiKey(at, 'quickblox') };
}
