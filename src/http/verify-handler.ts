import type { Context } from 'openapi-backend';
import type { components } from '../../generated/api.ts';
import type { Directory } from '../core/directory.ts';
import type { PasswordHasher } from '../core/ports.ts';
import type { UserStore } from '../core/store.ts';
import type { PasswordVerifier, VerifyLimiter } from '../core/verify-password.ts';
import { verifyPassword } from '../core/verify-password.ts';
import { retryAfter } from '../dialects/dialect.ts';
import type { Reply } from '../dialects/dialect.ts';
import { problem } from './problem.ts';
import type { ResetdContext } from './request-state.ts';

/** What POST /api/auth/verify needs beyond the store and the hasher: made once at start (src/main.ts). */
export interface Verification {
  verifier: PasswordVerifier;
  limiter: VerifyLimiter;
}

export interface VerifyHandlerDeps {
  store: Pick<UserStore, 'findUserPassword' | 'upgradeUserPasswordHash'>;
  hasher: PasswordHasher;
  verification: Verification;
  directory: Pick<Directory, 'name'>;
  clientIp: (ctx: ResetdContext) => string | null;
}

/** POST /api/auth/verify: the credentials in, core, the user or one 401 out. */
export function verifyHandler(deps: VerifyHandlerDeps) {
  const core = { ...deps.verification, store: deps.store, hasher: deps.hasher };
  return async (context: Context, ctx: ResetdContext): Promise<Reply> => {
    // Other directories keep the passwords in the application, which checks them itself.
    if (deps.directory.name !== 'builtin') {
      return problem(
        501,
        `Passwords are checked only in resetd's own users table (DIRECTORY=builtin); this instance uses DIRECTORY=${deps.directory.name}.`,
        'urn:resetd:problem:verify-needs-builtin-directory',
      );
    }
    const input = context.request.requestBody as components['schemas']['Credentials'];
    const outcome = await verifyPassword(core, { email: input.email, password: input.password, clientIp: typeof input.clientIp === 'string' ? input.clientIp : deps.clientIp(ctx) });
    switch (outcome.kind) {
      case 'verified': {
        const { id, email, name, locale } = outcome.account;
        return { status: 200, body: { id, email, name, locale } satisfies components['schemas']['VerifiedUser'] };
      }
      case 'refused':
        return problem(401, 'The email or the password is not right.', 'urn:resetd:problem:wrong-credentials');
      case 'rate-limited':
        return retryAfter(problem(429, 'Too many failed attempts. Try again later.', 'urn:resetd:problem:too-many-failures'), outcome.retryAfterSeconds);
    }
  };
}
