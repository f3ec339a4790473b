// The request rules on their own: loopback, the Host names answered, the token cookie, and write refusals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowedHosts, hostAllowed, isLoopback, tokenFromCookie, tokenMatches, writeRefusal } from './security.js';

test('loopback: localhost, 127.0.0.0/8 and ::1; nothing else', () => {
  for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'LOCALHOST']) assert.equal(isLoopback(h), true, h);
  for (const h of ['0.0.0.0', '::', '192.168.1.4', 'example.com', '127.0.0.1.evil.com', 'localhost.evil.com']) assert.equal(isLoopback(h), false, h);
});

test('the Host names answered: the bound one with its port, and the loopback names for a loopback bind', () => {
  const loop = allowedHosts('127.0.0.1', 8080);
  for (const h of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', 'LocalHost:8080']) assert.equal(hostAllowed(h, loop), true, h);
  for (const h of ['127.0.0.1', '127.0.0.1:8081', 'evil.com:8080', undefined]) assert.equal(hostAllowed(h, loop), false, String(h));
  const lan = allowedHosts('192.168.1.4', 9000);
  assert.deepEqual([...lan], ['192.168.1.4:9000']);
});

test('the token: from its cookie among others, compared exactly', () => {
  assert.equal(tokenFromCookie('a=1; nnlab_token=abc%3D; b=2'), 'abc=');
  assert.equal(tokenFromCookie('a=1'), null);
  assert.equal(tokenFromCookie(undefined), null);
  assert.equal(tokenMatches('secret-1', 'secret-1'), true);
  for (const t of ['secret-2', 'secret-', '', null, undefined]) assert.equal(tokenMatches(t, 'secret-1'), false, String(t));
});

test('a write needs JSON, a matching Origin and (with a token) the token header', () => {
  const allowed = allowedHosts('127.0.0.1', 8080);
  const ok = { 'content-type': 'application/json', origin: 'http://127.0.0.1:8080' };
  assert.equal(writeRefusal(ok, allowed, null), null);
  assert.match(writeRefusal({ ...ok, 'content-type': 'application/x-www-form-urlencoded' }, allowed, null)!, /must send JSON/);
  assert.match(writeRefusal({ ...ok, origin: 'http://evil.com' }, allowed, null)!, /Origin/);
  assert.match(writeRefusal({ ...ok, origin: 'https://127.0.0.1:8080' }, allowed, null)!, /Origin/);
  assert.match(writeRefusal(ok, allowed, 'tok-12345')!, /token/);
  assert.equal(writeRefusal({ ...ok, 'x-nnlab-token': 'tok-12345' }, allowed, 'tok-12345'), null);
});
