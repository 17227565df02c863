// A minimal AWS Lambda custom runtime for the baseline handler: the same
// Runtime API loop the Go function runs (aws-lambda-go), so that the cold
// start tool can time both the same way. It loads the handler at init, as
// Lambda's Node runtime does, then fetches events from AWS_LAMBDA_RUNTIME_API
// and posts each response. It does less than Lambda's own Node runtime, so
// the Node figure it gives is, if anything, flattering to Node.
'use strict';
const http = require('http');
const { handler } = require('./functions/sign_playback_id');

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true });

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function loop() {
  for (;;) {
    const next = await call('GET', '/2018-06-01/runtime/invocation/next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    const result = await handler(JSON.parse(next.body), {});
    await call('POST', `/2018-06-01/runtime/invocation/${id}/response`, JSON.stringify(result));
  }
}

loop().catch((e) => {
  console.error(e);
  process.exit(1);
});
