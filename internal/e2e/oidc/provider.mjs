// provider.mjs runs a real OpenID provider on loopback for the viewer
// sign-in tests: panva's OpenID-certified oidc-provider from the npm
// registry (pinned in package.json), with discovery at
// ISSUER/.well-known/openid-configuration and its keys at ISSUER/jwks.
//
//   E2E_NODE_MODULES=... node provider.mjs '{"port":18123,"issuer":"http://127.0.0.1:18123","resource":"https://api.example.test"}'
//
// It signs its tokens with an RSA key it makes at start (RS256, a fresh kid
// every run), so two runs are two providers with different keys. Viewers
// are OAuth clients that get a JWT access token for the resource with the
// client_credentials grant and Resource Indicators (RFC 8707):
//
//   POST ISSUER/token  grant_type=client_credentials&resource=RESOURCE
//   (HTTP Basic: client id and secret)
//
// Clients, each with secret "<id>-secret":
//   member  roles ["member"], tokens valid 10 minutes
//   guest   roles ["guest"],  tokens valid 10 minutes
//   brief   roles ["member"], tokens valid 1 second (for expiry)
//
// "delayMs" (optional) holds each discovery answer back that long: a slow
// provider. "issuer" may differ from where it listens: the tests run an impostor that
// claims another provider's issuer with keys of its own. It prints one line
// "ready ISSUER kid=KID" once listening, "served GET PATH STATUS" for each
// discovery and JWKS request, and stops on SIGTERM.
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const cfg = JSON.parse(process.argv[2]);
const modules = process.env.E2E_NODE_MODULES;
if (!modules) {
  process.stderr.write('provider.mjs: E2E_NODE_MODULES is not set\n');
  process.exit(2);
}
const { default: Provider, errors } = await import(pathToFileURL(path.join(modules, 'oidc-provider', 'lib', 'index.js')).href);

const kid = crypto.randomBytes(8).toString('hex');
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };

const viewers = {
  member: { roles: ['member'], ttl: 600 },
  guest: { roles: ['guest'], ttl: 600 },
  brief: { roles: ['member'], ttl: 1 },
};

const provider = new Provider(cfg.issuer, {
  clients: Object.keys(viewers).map((id) => ({
    client_id: id,
    client_secret: id + '-secret',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: [jwk] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => cfg.resource,
      getResourceServerInfo: async (ctx, resourceIndicator, client) => {
        if (resourceIndicator !== cfg.resource) {
          throw new errors.InvalidTarget();
        }
        return {
          scope: 'watch',
          audience: cfg.resource,
          accessTokenTTL: viewers[client.clientId].ttl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  ttl: { ClientCredentials: (ctx, token, client) => viewers[client.clientId].ttl },
  extraTokenClaims: async (ctx, token) => ({ roles: viewers[token.clientId].roles }),
});
// One line per discovery or JWKS request, for the tests to count.
provider.use(async (ctx, next) => {
  if (cfg.delayMs && ctx.path === '/.well-known/openid-configuration') {
    await new Promise((resolve) => setTimeout(resolve, cfg.delayMs)); // a slow provider
  }
  await next();
  if (ctx.path === '/.well-known/openid-configuration' || ctx.path === '/jwks') {
    process.stdout.write('served ' + ctx.method + ' ' + ctx.path + ' ' + ctx.status + '\n');
  }
});
provider.on('server_error', (ctx, err) => process.stderr.write('provider.mjs: server_error: ' + (err && err.stack || err) + '\n'));

const server = http.createServer(provider.callback());
server.listen(cfg.port, '127.0.0.1', () => {
  process.stdout.write('ready ' + cfg.issuer + ' kid=' + kid + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
