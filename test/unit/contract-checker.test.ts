import { describe, expect, it } from 'vitest';
import { checkResponse } from '../support/contract.ts';

/** The contract checker itself must be able to fail, or the contract tests prove nothing. */
describe('the response checker', () => {
  const rc = '/api/v1/users.forgotPassword';

  it('accepts a documented status with a body matching its schema', () => {
    expect(checkResponse('POST', rc, 200, 'application/json', '{"success":true,"status":"success"}').operationId).toBe('rocketchatForgotPassword');
  });

  it('refuses a status the operation does not document', () => {
    expect(() => checkResponse('POST', rc, 418, 'application/json', '{}')).toThrow(/does not document/);
  });

  it('refuses a content type the response does not list', () => {
    expect(() => checkResponse('POST', rc, 200, 'text/html', '<p>ok</p>')).toThrow(/the spec lists/);
  });

  it('refuses a body that breaks the schema', () => {
    expect(() => checkResponse('POST', rc, 400, 'application/json', '{"success":"false"}')).toThrow(/does not match/);
  });

  it('refuses a body where the spec documents none', () => {
    expect(() => checkResponse('GET', '/users/password/reset.json', 200, 'application/json', '{}')).toThrow(/no body/);
  });

  it('refuses a path that is no operation', () => {
    expect(() => checkResponse('GET', '/nowhere', 200, null, '')).toThrow(/not an operation/);
  });

  it('takes `default` for statuses maiascore does not list one by one', () => {
    expect(() => checkResponse('POST', '/auth/forgot-password', 415, 'application/json', '{"code":415,"message":"Error - x"}')).not.toThrow();
  });
});
