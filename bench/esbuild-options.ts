import type { BuildOptions } from 'esbuild';

/**
 * serverless.yml `custom.esbuild`, as serverless-esbuild passes it to esbuild (`exclude` becomes `external`).
 * Used by the bundles, validate and cpu sections; this module imports no esbuild code, so that the cpu
 * child's bundle does not take esbuild in. Keep it in step with serverless.yml.
 */
export const SLS_ESBUILD = {
  bundle: true,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  keepNames: false,
  target: 'node24',
  platform: 'node',
  format: 'cjs',
  mainFields: ['module', 'main'],
  external: [
    '@aws-sdk/client-scheduler',
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-login',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-web-identity',
    '@aws-sdk/credential-provider-http',
    '@aws-sdk/nested-clients',
    '@aws-sdk/token-providers',
    '@smithy/credential-provider-imds',
  ],
} satisfies BuildOptions;
