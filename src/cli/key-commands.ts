import { parseArgs } from 'node:util';
import { createApiKey, isKeyScope, KEY_SCOPES, revokeApiKey } from '../core/api-keys.ts';
import type { CliIo } from './cli-support.ts';
import { auditLine, clock, UsageError } from './cli-support.ts';

/** `resetd keys create|list|revoke`: the API keys dialects and verify are called with. */

export async function keysCreate(args: readonly string[], { out, err, withStore }: CliIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { dialect: { type: 'string' } } });
  if (!isKeyScope(values.dialect)) throw new UsageError(`keys create needs --dialect, one of: ${KEY_SCOPES.join(', ')}`);
  const dialect = values.dialect;
  const created = await withStore((store) => createApiKey({ store, clock }, dialect));
  auditLine(err, { action: 'api_key.create', keyId: created.id, dialect: created.dialect });
  out(`created ${created.id} for ${created.dialect}; keep the key, it is not shown again:`);
  out(created.key);
  return 0;
}

export async function keysList(args: readonly string[], { out, withStore }: CliIo): Promise<number> {
  parseArgs({ args: [...args] });
  const keys = await withStore((store) => store.listApiKeys());
  if (keys.length === 0) out('no API keys');
  for (const key of keys) {
    out(`${key.id}  ${key.dialect.padEnd(10)}  created ${key.createdAt.toISOString()}${key.revokedAt ? `  revoked ${key.revokedAt.toISOString()}` : ''}`);
  }
  return 0;
}

export async function keysRevoke(args: readonly string[], { out, err, withStore }: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args: [...args], allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('keys revoke takes exactly one key ID (see resetd keys list)');
  const result = await withStore((store) => revokeApiKey({ store, clock }, positionals[0]!));
  if (result === 'unknown') {
    err(`no live key with the id ${positionals[0]}`);
    return 1;
  }
  auditLine(err, { action: 'api_key.revoke', keyId: positionals[0]! });
  out(`revoked ${positionals[0]}`);
  return 0;
}
