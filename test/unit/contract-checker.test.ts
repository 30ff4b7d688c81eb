import { describe, expect, it } from 'vitest';
import { checkResponse, documentedVariants, observedVariants } from '../support/contract.ts';

/** The contract checker itself must be able to fail, or the contract tests prove nothing. */
describe('the response checker', () => {
  const rc = '/api/v1/users.forgotPassword';
  const maia = '/auth/forgot-password';
  const cloud = '/api/v4/user/reset';
  const typed = (type: string | null, more: Record<string, string> = {}) => new Headers({ ...(type && { 'content-type': type }), ...more });
  const jsonType = typed('application/json');

  it('accepts a documented status with a body matching its schema', () => {
    expect(checkResponse('POST', rc, 200, jsonType, '{"success":true,"status":"success"}').operationId).toBe('rocketchatForgotPassword');
  });

  it('refuses a status the operation does not document', () => {
    expect(() => checkResponse('POST', rc, 418, jsonType, '{}')).toThrow(/does not document/);
  });

  it('refuses a content type the response does not list', () => {
    expect(() => checkResponse('POST', rc, 200, typed('text/html'), '<p>ok</p>')).toThrow(/the spec lists/);
  });

  it('takes a media type in any letter case, with parameters', () => {
    expect(() => checkResponse('POST', rc, 200, typed('Application/JSON; charset=UTF-8'), '{"success":true,"status":"success"}')).not.toThrow();
  });

  it('refuses a body that breaks the schema', () => {
    expect(() => checkResponse('POST', rc, 400, jsonType, '{"success":"false"}')).toThrow(/does not match/);
  });

  it('refuses a body where the spec documents none', () => {
    expect(() => checkResponse('GET', '/users/password/reset.json', 200, jsonType, '{}')).toThrow(/no body/);
  });

  it('refuses a path that is no operation', () => {
    expect(() => checkResponse('GET', '/nowhere', 200, typed(null), '')).toThrow(/not an operation/);
  });

  it("refuses a maiascore answer whose code is not its status", () => {
    const tooMany = typed('application/json', { 'retry-after': '30' });
    expect(() => checkResponse('POST', maia, 429, tooMany, '{"code":429,"message":"Error - Too Many Requests"}')).not.toThrow();
    expect(() => checkResponse('POST', maia, 429, tooMany, '{"code":400,"message":"Error - Too Many Requests"}')).toThrow(/does not match/);
    expect(() => checkResponse('POST', maia, 413, jsonType, '{"code":200,"message":"OK"}')).toThrow(/does not match/);
  });

  it('refuses an answer without a header the spec requires', () => {
    expect(() => checkResponse('POST', maia, 429, jsonType, '{"code":429,"message":"Error - Too Many Requests"}')).toThrow(/lacks the header Retry-After/);
  });

  it('refuses a header that does not match its schema', () => {
    const headers = typed('application/json', { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' });
    expect(() => checkResponse('POST', maia, 429, headers, '{"code":429,"message":"Error - Too Many Requests"}')).toThrow(/header Retry-After.*does not match/);
  });

  it("requires Cloudreve's Retry-After only with code 429, inside its HTTP 200", () => {
    expect(() => checkResponse('POST', cloud, 200, jsonType, '{"code":0,"msg":""}')).not.toThrow();
    expect(() => checkResponse('POST', cloud, 200, jsonType, '{"code":429,"msg":"Too many requests, try again later"}')).toThrow(/lacks the header Retry-After/);
    expect(() => checkResponse('POST', cloud, 200, typed('application/json', { 'retry-after': '5' }), '{"code":429,"msg":"Too many requests, try again later"}')).not.toThrow();
  });

  it('names the documented example an answer is, where a status has several', () => {
    expect(documentedVariants()).toContain('cloudreveSendResetEmail 200 featureOff');
    observedVariants.clear();
    checkResponse('POST', cloud, 200, jsonType, '{"code":40019,"msg":"Password reset is not enabled","correlation_id":"7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f"}');
    expect([...observedVariants]).toEqual(['cloudreveSendResetEmail 200 featureOff']);
    observedVariants.clear();
    checkResponse('POST', cloud, 200, jsonType, '{"code":40019,"msg":"Something else"}');
    expect([...observedVariants]).toEqual([]);
  });
});
