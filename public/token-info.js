// token-info.js reads, without verifying anything, which signing key a Mux
// token names, so that the demo page can tell a token made with `make dev`'s
// throwaway development key (whose ID starts with devOnlyThrowawayKey) from a
// real one. It decodes the JWT's header and claims (base64url JSON) and reads
// `kid`, which the function puts in both. Nothing here is a security check:
// Mux verifies the signature.
//
// In the browser it defines window.MuxTokenInfo; under Node (the unit test in
// internal/e2e/browser/token-info.test.cjs) it is a CommonJS module.
(function (root) {
  'use strict';

  var DEV_KEY_PREFIX = 'devOnlyThrowawayKey';

  // decodeSegment turns one base64url JWT segment into its JSON value, or
  // null when it is not base64url of JSON.
  function decodeSegment(segment) {
    if (typeof segment !== 'string' || !/^[A-Za-z0-9_-]+$/.test(segment)) return null;
    var b64 = segment.replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4 !== 0) b64 += '=';
    try {
      var binary = atob(b64);
      var bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (e) {
      return null;
    }
  }

  // keyIDs returns the kid of the token's header and of its claims ('' where
  // there is none, or the token is not a JWT).
  function keyIDs(token) {
    var parts = typeof token === 'string' ? token.split('.') : [];
    if (parts.length !== 3) return { header: '', claims: '' };
    var header = decodeSegment(parts[0]);
    var claims = decodeSegment(parts[1]);
    function kid(obj) {
      return obj && typeof obj === 'object' && typeof obj.kid === 'string' ? obj.kid : '';
    }
    return { header: kid(header), claims: kid(claims) };
  }

  // isDevKeyToken says whether the token's header or claims name the
  // throwaway development key.
  function isDevKeyToken(token) {
    var ids = keyIDs(token);
    return ids.header.indexOf(DEV_KEY_PREFIX) === 0 || ids.claims.indexOf(DEV_KEY_PREFIX) === 0;
  }

  var api = { DEV_KEY_PREFIX: DEV_KEY_PREFIX, keyIDs: keyIDs, isDevKeyToken: isDevKeyToken };
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  } else {
    root.MuxTokenInfo = api;
  }
})(this);
