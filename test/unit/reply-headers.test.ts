import { describe, expect, it } from 'vitest';
import { retryAfter, withHeaders } from '../../src/dialects/dialect.ts';

describe('a reply given more headers', () => {
  it('keeps its status, body and headers, adds the new ones (a new value wins), and leaves the original as it was', () => {
    const reply = { status: 429, body: { error: 'slow down' }, headers: { 'X-Request-Id': 'abc', 'Retry-After': '1' } };
    const more = withHeaders(reply, { 'Retry-After': '30', 'X-RateLimit-Remaining': '0' });
    expect(more).toEqual({ status: 429, body: { error: 'slow down' }, headers: { 'X-Request-Id': 'abc', 'Retry-After': '30', 'X-RateLimit-Remaining': '0' } });
    expect(reply.headers).toEqual({ 'X-Request-Id': 'abc', 'Retry-After': '1' });
    expect(more.body).toBe(reply.body);
  });

  it('gets headers where it had none, and keeps the fields of its kind (an HTML page)', () => {
    expect(withHeaders({ status: 409, html: '<p>no</p>' }, { Connection: 'close' })).toEqual({ status: 409, html: '<p>no</p>', headers: { Connection: 'close' } });
    expect(retryAfter({ status: 503, body: { message: 'later' } }, 7)).toEqual({ status: 503, body: { message: 'later' }, headers: { 'Retry-After': '7' } });
  });
});
