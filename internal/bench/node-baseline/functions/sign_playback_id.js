// The 2019 article's Netlify Function, in the same shape: read playbackId
// from the query string, sign it, answer 302 to the signed stream URL.
const { signPlaybackId } = require('../src/mux_signatures');

exports.handler = async (event) => {
  try {
    const { playbackId } = event.queryStringParameters || {};
    if (!playbackId) {
      return {
        statusCode: 400,
        body: JSON.stringify({ errors: [{ message: 'Missing playbackId in query string' }] }),
      };
    }
    const token = await signPlaybackId(playbackId);
    return {
      statusCode: 302,
      headers: {
        'Access-Control-Allow-Origin': '*',
        location: `https://stream.mux.com/${playbackId}.m3u8?token=${token}`,
      },
      body: '',
    };
  } catch (e) {
    console.error(e);
    return { statusCode: 500, body: JSON.stringify({ errors: [{ message: 'Server Error' }] }) };
  }
};
