/**
 * The SSM client of the secrets (lib/config/secrets.ts). Imported statically on purpose: esbuild tree-shakes
 * a package only where it is imported statically, so the bundles keep the client and the one command they
 * name (about 75 KB). Behind a dynamic `import()` they kept all of `@aws-sdk/client-ssm` (166 KB), and V8
 * parsed it at every cold start, used or not: about 10 ms more init (bench/README.md, bundles). The client
 * itself is built on first use: local runs and stages without parameters never build it.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { awsClientConfig } from './aws-clients';

let client: SSMClient | undefined;

/** One SecureString parameter, decrypted; `undefined` when it has no value. */
export async function getSecureParameter(name: string): Promise<string | undefined> {
  client ??= new SSMClient(awsClientConfig());
  const { Parameter } = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  return Parameter?.Value ?? undefined;
}
