import { describe, expect, it } from 'vitest';
import { argon2idHasher } from '../../src/password-hasher/argon2id-hasher.ts';
import { checkForeignHash } from '../../src/password-hasher/foreign-hashes.ts';
import { createPasswordVerifier, isCurrentHash } from '../../src/password-hasher/password-verifier.ts';
import { foreignHashes } from '../support/foreign-hashes.ts';

describe('hashes written by other applications', async () => {
  const hashes = await foreignHashes();

  it.each(hashes)('$format: the right password matches, any other does not', async ({ hash, password }) => {
    expect(await checkForeignHash(hash, password)).toBe('match');
    expect(await checkForeignHash(hash, `${password}!`)).toBe('mismatch');
    expect(await checkForeignHash(hash, '')).toBe('mismatch');
  });

  it.each(hashes)('$format: is outdated, so a right password rehashes it', async ({ hash, password }) => {
    const verifier = await createPasswordVerifier();
    expect(isCurrentHash(hash)).toBe(false);
    expect(await verifier.verify(hash, password)).toBe('outdated');
    expect(await verifier.verify(hash, 'not it')).toBe('wrong');
  });

  it('resetd’s own argon2id is current; a right password is right, not outdated', async () => {
    const verifier = await createPasswordVerifier();
    const own = await argon2idHasher.hash('the current form');
    expect(isCurrentHash(own)).toBe(true);
    expect(await verifier.verify(own, 'the current form')).toBe('right');
    expect(await verifier.verify(own, 'another')).toBe('wrong');
  });

  it.each([
    ['an MD5 hex digest', '5f4dcc3b5aa765d61d8327deb882cf99'],
    ['plain text', 'password'],
    ['a truncated bcrypt hash', '$2b$10$abc'],
    ['argon2 with a broken parameter list', '$argon2id$v=19$m=x,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo'],
    ['scrypt asking for 2^30 blocks', '$scrypt$ln=30,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E'],
    ['scrypt with a missing hash', '$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$'],
    ['Django with a billion iterations', `pbkdf2_sha256$999999999$salt$${'A'.repeat(43)}=`],
    ['Django with a short hash', 'pbkdf2_sha256$1000$salt$AAAA'],
    ['Django sha1', 'pbkdf2_sha1$1000$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAA='],
  ])('%s is unreadable: never a match, never an exception', async (_name, stored) => {
    expect(await checkForeignHash(stored, 'password')).toBe('unreadable');
    expect(await (await createPasswordVerifier()).verify(stored, 'password')).toBe('unreadable');
  });

  it('the stand-in check for a missing account does the same argon2id work and never throws', async () => {
    const verifier = await createPasswordVerifier();
    await expect(verifier.verifyNothing('anything')).resolves.toBeUndefined();
  });
});
