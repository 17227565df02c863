// Unit test of public/token-info.js, the demo page's reader of a token's key
// ID. Run: node --test internal/e2e/browser/token-info.test.cjs
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');

const info = require(path.join(__dirname, '..', '..', '..', 'public', 'token-info.js'));

const b64url = (obj) => Buffer.from(typeof obj === 'string' ? obj : JSON.stringify(obj)).toString('base64url');
const jwt = (header, claims) => b64url(header) + '.' + b64url(claims) + '.c2lnbmF0dXJl';

const devID = 'devOnlyThrowawayKey0123456789abcdef';
const sub = 'qIJBqaJPkhNXiHbed8j2jyx02tQQWBI5fL6WkIQYL63w';

test('keyIDs and isDevKeyToken', async (t) => {
  const cases = [
    { name: 'development key in header and claims (what make dev signs)',
      token: jwt({ alg: 'RS256', kid: devID, typ: 'JWT' }, { aud: 'v', exp: 1796792400, kid: devID, sub }),
      header: devID, claims: devID, dev: true },
    { name: 'development key in the claims only',
      token: jwt({ alg: 'RS256', typ: 'JWT' }, { aud: 'v', kid: devID, sub }),
      header: '', claims: devID, dev: true },
    { name: 'development key in the header only',
      token: jwt({ alg: 'RS256', kid: devID }, { aud: 'v', sub }),
      header: devID, claims: '', dev: true },
    { name: 'a real key ID',
      token: jwt({ alg: 'RS256', kid: 'abc123', typ: 'JWT' }, { aud: 'v', kid: 'abc123', sub }),
      header: 'abc123', claims: 'abc123', dev: false },
    { name: 'the prefix not at the start',
      token: jwt({ alg: 'RS256', kid: 'x' + devID }, { kid: 'x' + devID }),
      header: 'x' + devID, claims: 'x' + devID, dev: false },
    { name: 'no kid at all',
      token: jwt({ alg: 'RS256' }, { sub }),
      header: '', claims: '', dev: false },
    { name: 'kid that is not a string',
      token: jwt({ alg: 'RS256', kid: 7 }, { kid: ['devOnlyThrowawayKey'] }),
      header: '', claims: '', dev: false },
    { name: 'claims that are not JSON',
      token: jwt({ alg: 'RS256', kid: 'abc' }, 'devOnlyThrowawayKey'),
      header: 'abc', claims: '', dev: false },
    { name: 'base64url characters - and _ decode',
      // "?>" and "~~" in the claims encode to base64url with "_" and "-"
      token: jwt({ alg: 'RS256' }, { kid: devID, note: '??>>~~~' }),
      header: '', claims: devID, dev: true },
    { name: 'not base64url', token: 'a+b.c/d.e', header: '', claims: '', dev: false },
    { name: 'two segments', token: b64url({ kid: devID }) + '.' + b64url({ kid: devID }), header: '', claims: '', dev: false },
    { name: 'empty', token: '', header: '', claims: '', dev: false },
    { name: 'not a string', token: undefined, header: '', claims: '', dev: false },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.deepStrictEqual(info.keyIDs(c.token), { header: c.header, claims: c.claims });
      assert.strictEqual(info.isDevKeyToken(c.token), c.dev);
    });
  }
});

test('the prefix is the one the local server gives its key', () => {
  // Wherever the development key lives in the Go code, it is named there.
  const fs = require('fs');
  const root = path.join(__dirname, '..', '..', '..');
  const goFiles = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testdata' || e.name === 'node_modules' ? [] : goFiles(p);
    return e.name.endsWith('.go') && !e.name.endsWith('_test.go') ? [p] : [];
  });
  const files = [...goFiles(path.join(root, 'functions')), ...goFiles(path.join(root, 'internal'))];
  const naming = files.filter((f) => fs.readFileSync(f, 'utf8').includes('"' + info.DEV_KEY_PREFIX + '"'));
  assert.ok(naming.length > 0, 'no Go file names the development key prefix ' + info.DEV_KEY_PREFIX);
});
