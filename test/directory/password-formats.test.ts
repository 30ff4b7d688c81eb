import bcryptjs from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { checkHashSettings, djangoPbkdf2Sha256, HASH_COSTS, HASH_FORMATS, hashPassword } from '../../src/directory/sql/password-formats.ts';
import { independentlyVerifies } from './hash-verifiers.ts';

// Low costs keep the suite quick; the formats' defaults are checked on their own below.
const TEST_COSTS = { bcrypt: 4, 'bcrypt-sha256': 4, argon2id: 2, 'pbkdf2-sha256': 600_000, 'cloudreve-sha256': null } as const;
const PASSWORDS = ['correct horse battery staple', 'pässwört ✓ 密码', '"quotes" $dollars$ \\backslash'];

describe('password formats', () => {
  for (const format of HASH_FORMATS) {
    it(`${format}: an independent implementation accepts the password and refuses another`, async () => {
      for (const password of PASSWORDS) {
        const stored = await hashPassword(format, password, TEST_COSTS[format]);
        expect(await independentlyVerifies(format, password, stored), `${format} ${password}`).toBe(true);
      }
      const stored = await hashPassword(format, PASSWORDS[0]!, TEST_COSTS[format]);
      expect(await independentlyVerifies(format, `${PASSWORDS[0]}!`, stored)).toBe(false);
    });
  }

  it('bcrypt is $2b$ with the cost asked for, and the same password hashes differently each time', async () => {
    const a = await hashPassword('bcrypt', 'pw', 5);
    const b = await hashPassword('bcrypt', 'pw', 5);
    expect(a).toMatch(/^\$2b\$05\$[./A-Za-z0-9]{53}$/);
    expect(a).not.toBe(b);
  });

  it('bcrypt-sha256 is bcrypt over the lower-case hex SHA-256, not over the password itself (Rocket.Chat)', async () => {
    const stored = await hashPassword('bcrypt-sha256', 'secret', 4);
    expect(await bcryptjs.compare('2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b', stored)).toBe(true);
    expect(await bcryptjs.compare('secret', stored)).toBe(false);
    expect(await bcryptjs.compare('2BB80D537B1DA3E38BD30361AA855686BDE0EACD7162FEF6A25FE97BF527A25B', stored)).toBe(false);
  });

  it('argon2id is a PHC string with 19 MiB, one lane and the cost as time cost, in the m,t,p order libargon2 requires', async () => {
    expect(await hashPassword('argon2id', 'pw', 3)).toMatch(/^\$argon2id\$v=19\$m=19456,t=3,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  });

  it("pbkdf2-sha256 is Django's text: iterations, a 22-character alphanumeric salt, the padded base64 of 32 bytes", async () => {
    const stored = await hashPassword('pbkdf2-sha256', 'pw', 600_000);
    expect(stored).toMatch(/^pbkdf2_sha256\$600000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$/);
    // Django 5.1's own test vector (tests/auth_tests/test_hashers.py, test_pbkdf2).
    expect(await djangoPbkdf2Sha256('lètmein', 870_000, 'seasalt')).toBe('pbkdf2_sha256$870000$seasalt$wJSpLMQRQz0Dhj/pFpbyjMj71B2gUYp6HJS5AU+32Ac=');
  });

  it("cloudreve-sha256 is Cloudreve v4's text: a 32-character alphanumeric salt, a colon, the hex SHA-256 of password then salt", async () => {
    const stored = await hashPassword('cloudreve-sha256', 'pw', null);
    expect(stored).toMatch(/^[A-Za-z0-9]{32}:[0-9a-f]{64}$/);
    expect(await hashPassword('cloudreve-sha256', 'pw', null)).not.toBe(stored);
    expect(checkHashSettings('cloudreve-sha256', 10)).toEqual([expect.stringMatching(/^DIRECTORY_HASH_COST: cloudreve-sha256 has no work factor/)]);
    expect(checkHashSettings('cloudreve-sha256', null)).toEqual([]);
  });

  it('the defaults: bcrypt 10 as Unleash and Rocket.Chat write, argon2id 2 passes, Django 5.2 iterations', async () => {
    expect(HASH_COSTS.bcrypt!.default).toBe(10);
    expect(await hashPassword('bcrypt', 'pw', null)).toMatch(/^\$2b\$10\$/);
    expect(await hashPassword('bcrypt-sha256', 'pw', null)).toMatch(/^\$2b\$10\$/);
    expect(await hashPassword('argon2id', 'pw', null)).toMatch(/\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hashPassword('pbkdf2-sha256', 'pw', null)).toMatch(/^pbkdf2_sha256\$1000000\$/);
  });

  it('settings: an unknown format or a cost out of its range names the setting', () => {
    expect(checkHashSettings('md5', null)).toEqual([expect.stringMatching(/^DIRECTORY_HASH: must be one of bcrypt, argon2id, pbkdf2-sha256, bcrypt-sha256, cloudreve-sha256/)]);
    expect(checkHashSettings('bcrypt', 3)).toEqual([expect.stringMatching(/^DIRECTORY_HASH_COST: for bcrypt must be a whole number from 4 to 31/)]);
    expect(checkHashSettings('bcrypt-sha256', 32)).toHaveLength(1);
    expect(checkHashSettings('argon2id', 1)).toHaveLength(1);
    expect(checkHashSettings('pbkdf2-sha256', 10_000)).toHaveLength(1);
    expect(checkHashSettings('bcrypt', 12.5)).toHaveLength(1);
    expect(checkHashSettings('pbkdf2-sha256', 870_000)).toEqual([]);
    expect(checkHashSettings('argon2id', null)).toEqual([]);
  });
});
