import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { PasswordPolicy } from '../../src/core/password-policy.ts';
import { checkPassword, ESTIMATED_CODE_POINTS, knownWords } from '../../src/core/password-policy.ts';
import type { PasswordStrength } from '../../src/core/ports.ts';
import { sitePasswordPolicy } from '../../src/password-strength/site-password-policy.ts';

/** The one password policy, with the real blocklist and the real estimator (zxcvbn-ts), as a site configures it. */
const site = sitePasswordPolicy(
  loadConfig({ PUBLIC_URL: 'https://accounts.zephyrine.test', PRODUCT_NAME: 'Quillfeather Depot', PRODUCT_NAME_UNLEASH: 'Flagpole Orchard' }),
);
const plainSite = sitePasswordPolicy(loadConfig({ PUBLIC_URL: 'https://example.org' }));
const check = (password: string, email = '', policy: PasswordPolicy = site) => checkPassword(policy, password, email);

describe('easily guessed passwords are refused, with what makes them so', () => {
  it.each([
    ['15 spaces', ' '.repeat(15), 'repeat'],
    ['one letter repeated', 'aaaaaaaaaaaaaaa', 'repeat'],
    ['one emoji repeated', '🔑'.repeat(15), 'repeat'],
    ['a word repeated with spaces between', 'resetd resetd resetd', 'repeat'],
    ['digits in a row', '123456789012345', 'common'],
    ['a keyboard walk', 'qwertyuiopasdfgh', 'common'],
    ['the alphabet in a row', 'abcdefghijklmnop', 'sequence'],
    ['a date twice', '2024-01-01 2024-01-01', 'repeat'],
  ])('%s (%j): easily-guessed, %s', (_name, password, pattern) => {
    expect(check(password)).toEqual({ problems: ['easily-guessed'], minLength: 15, pattern });
  });

  it.each([
    ['Rocket.Chat 2026'],
    ['QuickBlox1234567'],
    ['Cloudreve Cloudreve'],
    ['maiascore maiascore'],
    ['rocketchatrocketchat'],
  ])('a product’s own name (%j) is easily guessed on any site', (password) => {
    expect(check(password, '', plainSite)?.problems).toEqual(['easily-guessed']);
  });

  it.each([
    ['PRODUCT_NAME', 'Quillfeather Depot 1'],
    ['PRODUCT_NAME_UNLEASH', 'Flagpole Orchard 12'],
    ['the host name', 'accounts.zephyrine.test'],
  ])('the site’s configured names count (%s: %j): refused there, accepted on another site', (_setting, password) => {
    expect(check(password)).toEqual({ problems: ['easily-guessed'], minLength: 15, pattern: 'known-name' });
    expect(check(password, '', plainSite)).toBeNull();
  });

  it('the account’s address counts, beyond its literal presence: refused for its owner, accepted for another', () => {
    expect(check('Velvetina Quorra 77', 'velvetina.quorra@example.com')).toEqual({ problems: ['easily-guessed'], minLength: 15, pattern: 'known-name' });
    expect(check('amil.ana amil.ana', 'ana.lima@example.com')?.problems).toEqual(['easily-guessed']);
    expect(check('Velvetina Quorra 77', 'bob@example.net')).toBeNull();
  });
});

describe('good passwords pass', () => {
  it.each([
    'correct horse battery staple',
    'quiet violet harbor lantern',
    'Kangaroo Velvet Lantern Orbit',
    'Bicycle-Orbit-Fossil-Tender',
    'Café au lait tous les jours',
    'my dog likes green apples',
    '🔑🐙🌵🎻🚲🧭🍋🦉🪁🧩🌋🎈🦔🍄🛶',
    'xK9#mQ2$vL7!pR4',
  ])('%j is accepted', (password) => {
    expect(check(password, 'ana.lima@example.com')).toBeNull();
  });

  it('a long pass phrase is accepted whole, however long (up to the maximum)', () => {
    expect(check('Kangaroo Velvet Lantern Orbit, '.repeat(30).slice(0, 1024))).toBeNull();
  });
});

describe('the exact rules come first, and the estimator only when they pass', () => {
  it('too short, common, or containing the address: that reason alone', () => {
    expect(check('aaaaaaaaaaaaaa')).toEqual({ problems: ['too-short'], minLength: 15 });
    expect(check('QWERTY123456789')).toEqual({ problems: ['common'], minLength: 15 });
    expect(check('ana.lima@example.com!!', 'ana.lima@example.com')).toEqual({ problems: ['contains-email'], minLength: 15 });
  });

  it('the admin API’s and CLI’s shortest password, a single letter, is refused', () => {
    expect(check('a')).toEqual({ problems: ['too-short'], minLength: 15 });
  });
});

describe('what the estimator is given', () => {
  /** The real estimator, with what it was asked recorded. */
  function recording(policy: PasswordPolicy) {
    const seen: { password: string; known: readonly string[] }[] = [];
    const strength: PasswordStrength = {
      estimate(password, known) {
        seen.push({ password, known });
        return policy.strength.estimate(password, known);
      },
    };
    return { policy: { ...policy, strength }, seen };
  }

  it(`at most the first ${ESTIMATED_CODE_POINTS} code points, cut between code points, in NFC`, () => {
    const { policy, seen } = recording(site);
    const password = `Cafe\u0301 🔑${'Kangaroo Velvet Lantern Orbit 🐙'.repeat(10)}`;
    expect(check(password, '', policy)).toBeNull();
    expect([...seen[0]!.password]).toHaveLength(ESTIMATED_CODE_POINTS);
    expect(seen[0]!.password).toBe([...password.normalize('NFC')].slice(0, ESTIMATED_CODE_POINTS).join(''));
  });

  it('the password as typed and run together without spaces and punctuation, each once', () => {
    const { policy, seen } = recording(site);
    check('resetd resetd, resetd', '', policy);
    expect(seen.map((call) => call.password)).toEqual(['resetd resetd, resetd', 'resetdresetdresetd']);
  });

  it('the site’s names and the address as known words, in lower case, whole, run together and in parts', () => {
    expect(knownWords(['Rocket.Chat', 'reset.example.org'], 'Ana.Lima@Example.com')).toEqual([
      'rocket.chat', 'rocketchat', 'rocket', 'chat',
      'reset.example.org', 'resetexampleorg', 'reset', 'example',
      'ana.lima@example.com', 'analimaexamplecom', 'lima',
      'ana.lima', 'analima',
      'example.com', 'examplecom',
    ]);
    expect(knownWords(['resetd'], '')).toEqual(['resetd']);
  });
});
