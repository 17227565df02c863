// The 2019 article's signing module, as netlify-lambda compiled it to
// CommonJS: Mux.JWT.sign from @mux/mux-node 3.x, given the key from the
// environment on every call (so the SDK parses the key every time).
const Mux = require('@mux/mux-node');

exports.signPlaybackId = function signPlaybackId(playbackId) {
  return Mux.JWT.sign(playbackId, {
    keyId: process.env.MUX_SIGNING_KEY,
    keySecret: process.env.MUX_PRIVATE_KEY,
  });
};
