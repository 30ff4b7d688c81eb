// Your application's side of resetd's http directory. Run: DIRECTORY_SECRET=… PORT=3000 node http-directory-receiver.mjs
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const users = [{ id: '1', email: 'ada@example.com', name: 'Ada', locale: 'en' }]; // your user table
const hashes = new Map(); // id → "salt:hash", what your login checks

// Resetd-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">; refuse forgeries and replays.
function signed(body, header = '') {
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) ?? [];
  if (!t || Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  return timingSafeEqual(createHmac('sha256', process.env.DIRECTORY_SECRET).update(`${t}.${body}`).digest(), Buffer.from(v1, 'hex'));
}

createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  const reply = (status, json) => res.writeHead(status, { 'content-type': 'application/json' }).end(json && JSON.stringify(json));
  if (!signed(body, req.headers['resetd-signature'])) return reply(401);
  const { action, identifier, id, password } = JSON.parse(body);
  const user = users.find((u) => u.email.toLowerCase() === identifier || u.id === (identifier ?? id));
  if (action === 'ping') return reply(204);
  if (action === 'find') return user ? reply(200, user) : reply(404);
  if (action !== 'set-password' || !user) return reply(404);
  if (password.toLowerCase().includes(user.email.split('@')[0])) return reply(422, { reasons: ['The password must not contain your email address.'] });
  const salt = randomBytes(16);
  scrypt(password, salt, 64, (error, hash) => {
    if (!error) hashes.set(user.id, `${salt.toString('hex')}:${hash.toString('hex')}`);
    reply(error ? 500 : 204);
  });
}).listen(Number(process.env.PORT ?? 3000), '127.0.0.1', function () {
  console.log(`listening on http://127.0.0.1:${this.address().port}`);
});
