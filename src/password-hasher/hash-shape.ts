import { djangoParameters, formatOf, scryptParameters } from './foreign-hashes.ts';

/**
 * Whether resetd could ever check a password against a stored hash, judged from its text
 * alone (nothing is hashed): so an import refuses a hash that would lock its user out, or
 * whose parameters would make every login a denial of service, instead of storing it. The
 * bounds are checkForeignHash's own (foreign-hashes.ts). null: readable; else why not, as a
 * phrase after "password_hash".
 */
export function hashProblem(stored: string): string | null {
  switch (formatOf(stored)) {
    case 'argon2':
      return argon2Problem(stored);
    case 'bcrypt':
      return bcryptProblem(stored);
    case 'scrypt': {
      const parameters = scryptParameters(stored);
      return typeof parameters === 'string' ? parameters : null;
    }
    case 'pbkdf2-sha256': {
      const parameters = djangoParameters(stored);
      return typeof parameters === 'string' ? parameters : null;
    }
    case null:
      return 'is not a hash resetd can read (argon2, bcrypt, scrypt or pbkdf2_sha256)';
  }
}

// Parameters in any order: the reference implementation writes m,t,p; node-argon2 writes m,p,t.
const ARGON2 = /^\$argon2(?:id|i|d)\$(?:v=(?:16|19)\$)?([mtp]=\d{1,10},[mtp]=\d{1,10},[mtp]=\d{1,10})\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{22,171}$/;
/** 1 GiB in KiB: far above what any login should take (argon2's own default is 64 MiB). */
const ARGON2_MAX_MEMORY_KIB = 1024 * 1024;
const ARGON2_MAX_PASSES = 100;
const ARGON2_MAX_LANES = 64;

function argon2Problem(stored: string): string | null {
  const match = ARGON2.exec(stored);
  if (!match) return 'is not argon2 in PHC form ($argon2id$v=19$m=…,t=…,p=…$salt$hash)';
  const parameters = new Map(match[1]!.split(',').map((pair) => [pair[0]!, Number(pair.slice(2))]));
  if (parameters.size !== 3) return 'has argon2 parameters other than m, t and p once each';
  const [m, t, p] = [parameters.get('m')!, parameters.get('t')!, parameters.get('p')!];
  if (p < 1 || p > ARGON2_MAX_LANES || t < 1 || t > ARGON2_MAX_PASSES || m < 8 * p || m > ARGON2_MAX_MEMORY_KIB) {
    return `has argon2 parameters out of bounds (m=${m}, t=${t}, p=${p}; m up to ${ARGON2_MAX_MEMORY_KIB} KiB, t up to ${ARGON2_MAX_PASSES}, p up to ${ARGON2_MAX_LANES})`;
  }
  return null;
}

function bcryptProblem(stored: string): string | null {
  const cost = Number(stored.slice(4, 6));
  return cost >= 4 && cost <= 31 ? null : `has a bcrypt cost of ${cost} (4 to 31)`;
}
