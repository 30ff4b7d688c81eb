import { describe, expect, it } from 'vitest';
import type { CompleteResetOutcome } from '../../src/core/complete-reset.ts';
import type { GuessPattern } from '../../src/core/ports.ts';
import { DIALECT_TABLE } from '../../src/dialects/index.ts';
import { passwordProblemMessages } from '../../src/messages/password-problems.ts';

/** The words a person reads when a password is refused: one sentence per reason, short, saying what to do. */
describe('password problems in words', () => {
  it('each problem gets its own sentence, with the configured minimum', () => {
    expect(passwordProblemMessages({ problems: ['too-short', 'common'], minLength: 15 })).toEqual([
      { code: 'too-short', message: 'Use at least 15 characters.' },
      { code: 'common', message: 'This password is on a list of common or breached passwords; choose another.' },
    ]);
  });

  it('easily guessed: what makes it so, when the estimator tells, and what to do instead', () => {
    const [repeat] = passwordProblemMessages({ problems: ['easily-guessed'], minLength: 15, pattern: 'repeat' });
    expect(repeat).toEqual({
      code: 'easily-guessed',
      message: 'This password is easy to guess: repeated characters or words are among the first guesses. A few unrelated words make a strong one.',
    });
    const [plain] = passwordProblemMessages({ problems: ['easily-guessed'], minLength: 15 });
    expect(plain!.message).toBe('This password is easy to guess. A few unrelated words make a strong one.');
  });

  it.each<GuessPattern>(['repeat', 'sequence', 'keyboard', 'date', 'common', 'word', 'known-name'])('the %s pattern reads as one short sentence', (pattern) => {
    const message = passwordProblemMessages({ problems: ['easily-guessed'], minLength: 15, pattern })[0]!.message;
    expect(message).toMatch(/^This password is easy to guess: [a-z].+\. A few unrelated words make a strong one\.$/);
    expect(message.length).toBeLessThan(160);
  });
});

describe('the sentence in each dialect’s refusal', () => {
  const SENTENCE = 'This password is easy to guess: keys in a row, like qwerty, are among the first guesses. A few unrelated words make a strong one.';
  const weak = (origin: 'unleash' | 'cloudreve'): CompleteResetOutcome => ({ kind: 'weak', problems: ['easily-guessed'], minLength: 15, pattern: 'keyboard', origin });

  it('Unleash: an OwaspValidationError with the sentence as its message and in its details, on completion and on validate-password', () => {
    const completion = DIALECT_TABLE.unleash.completion!;
    const owasp = { name: 'OwaspValidationError', message: SENTENCE, details: [{ message: SENTENCE, validationErrors: [SENTENCE] }] };
    expect(completion.completeReply(weak('unleash'))).toEqual({ status: 400, body: { id: expect.any(String), ...owasp } });
    const check = completion.passwordCheckReply!({ kind: 'refused', problems: ['easily-guessed'], minLength: 15, pattern: 'keyboard', reasons: [] });
    expect(check).toEqual({ status: 400, body: { id: expect.any(String), ...owasp } });
  });

  it('Cloudreve: code 40001 with the sentence as msg', () => {
    expect(DIALECT_TABLE.cloudreve.completion!.completeReply(weak('cloudreve')).body).toMatchObject({ code: 40001, msg: SENTENCE });
  });
});
