import { describe, expect, it } from 'vitest';
import stack from '../../config/stack.json';
import {
  type AwsReaders,
  commaList,
  localSettings,
  SettingsError,
  stageSettings,
} from '../../scripts/webhooks/settings';

const STACK_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com';

/** Fake AWS readers over a stack's outputs and an SSM store; records what was asked. */
function fakeAws(outputs: Record<string, string>, parameters: Record<string, string>) {
  const asked: { stacks: string[]; names: string[] } = { stacks: [], names: [] };
  const aws: AwsReaders = {
    async stackOutputs(stackName) {
      asked.stacks.push(stackName);
      return outputs;
    },
    async parameters(names) {
      asked.names.push(...names);
      return new Map(
        names.flatMap((name) => (name in parameters ? [[name, parameters[name] as string]] : [])),
      );
    },
  };
  return { aws, asked };
}

const prodParameters = {
  '/connect-fulfillment/prod/api-key': 'ApiKey SU-111-222-333:0f3c',
  '/connect-fulfillment/prod/webhook-secrets': ' new-secret , old-secret',
  '/connect-fulfillment/prod/products': 'PRD-1,PRD-2',
  '/connect-fulfillment/prod/validation-products': 'PRD-2',
};
const prodOutputs = { HttpApiUrl: STACK_URL, ConnectApiUrl: 'https://api.connect.cloudblue.com/public/v1' };

describe('local settings (no --stage)', () => {
  it('are the local stack defaults of config/stack.json, products from CONNECT_PRODUCTS', () => {
    // Act
    const settings = localSettings({ CONNECT_PRODUCTS: 'PRD-276-377-545, PRD-118-454-903' });

    // Assess
    expect(settings).toEqual({
      service: stack.service,
      stage: 'local',
      apiUrl: stack.local.connectApiUrl,
      apiKey: stack.local.connectApiKey,
      secret: stack.local.webhookSecret,
      baseUrl: `http://127.0.0.1:${stack.local.ports.http}`,
      products: ['PRD-276-377-545', 'PRD-118-454-903'],
      validationProducts: [],
      source: 'the local stack (npm start)',
    });
  });

  it('take the environment of the local stack and --url, and * for validating every product', () => {
    // Act
    const settings = localSettings(
      {
        CONNECT_API_URL: 'http://127.0.0.1:4999/public/v1',
        CONNECT_API_KEY: 'ApiKey SU-9:k',
        CONNECT_WEBHOOK_SECRETS: 'first,second',
        CONNECT_PRODUCTS: 'PRD-1,PRD-2',
        CONNECT_VALIDATION_PRODUCTS: '*',
      },
      { url: 'http://127.0.0.1:3999/' },
    );

    // Assess
    expect(settings).toMatchObject({
      apiUrl: 'http://127.0.0.1:4999/public/v1',
      apiKey: 'ApiKey SU-9:k',
      secret: 'first',
      baseUrl: 'http://127.0.0.1:3999',
      validationProducts: ['PRD-1', 'PRD-2'],
    });
  });

  it('takes the samples of npm start, validators included, when CONNECT_PRODUCTS names none', () => {
    const settings = localSettings({}, { defaultProducts: ['PRD-276-377-545', 'PRD-118-454-903'] });
    expect(settings).toMatchObject({
      products: ['PRD-276-377-545', 'PRD-118-454-903'],
      validationProducts: ['PRD-276-377-545', 'PRD-118-454-903'],
    });
    // CONNECT_PRODUCTS, when set, wins.
    expect(localSettings({ CONNECT_PRODUCTS: 'PRD-1' }, { defaultProducts: ['PRD-2'] }).products).toEqual([
      'PRD-1',
    ]);
  });

  it('refuse no products, every product (*), a validation product that is not a product, a base that is not a URL', () => {
    // Act
    const none = () => localSettings({});
    const outside = () => localSettings({ CONNECT_PRODUCTS: 'PRD-1', CONNECT_VALIDATION_PRODUCTS: 'PRD-2' });
    const notUrl = () => localSettings({ CONNECT_PRODUCTS: 'PRD-1' }, { url: 'ftp://x' });
    const every = () => localSettings({ CONNECT_PRODUCTS: '*' });

    // Assess
    expect(none).toThrow(/No products configured \(CONNECT_PRODUCTS\)/);
    expect(outside).toThrow(/Validation products not among the products: PRD-2/);
    expect(notUrl).toThrow(SettingsError);
    expect(every).toThrow(/Products is \* \(every product\).*needs the product ids/);
  });

  it('split comma lists, dropping blanks', () => {
    expect(commaList(' a, b,,c ,')).toEqual(['a', 'b', 'c']);
    expect(commaList(undefined)).toEqual([]);
  });
});

describe('stage settings (--stage)', () => {
  it('read the stack <service>-<stage> outputs and the stage SSM parameters, the first secret only', async () => {
    // Prepare
    const { aws, asked } = fakeAws(prodOutputs, prodParameters);

    // Act
    const settings = await stageSettings({ stage: 'prod', region: 'eu-west-1' }, aws);

    // Assess
    expect(asked.stacks).toEqual(['connect-fulfillment-prod']);
    expect(asked.names).toEqual(Object.keys(prodParameters));
    expect(settings).toEqual({
      service: 'connect-fulfillment',
      stage: 'prod',
      apiUrl: 'https://api.connect.cloudblue.com/public/v1',
      apiKey: 'ApiKey SU-111-222-333:0f3c',
      secret: 'new-secret',
      baseUrl: STACK_URL,
      products: ['PRD-1', 'PRD-2'],
      validationProducts: ['PRD-2'],
      source: 'stack connect-fulfillment-prod (eu-west-1)',
    });
  });

  it('take --url over the stack URL, and no validators without the optional parameter', async () => {
    // Prepare
    const { '/connect-fulfillment/prod/validation-products': _, ...withoutValidation } = prodParameters;
    const { aws } = fakeAws(prodOutputs, withoutValidation);

    // Act
    const settings = await stageSettings(
      { stage: 'prod', region: 'eu-west-1', url: 'https://fulfillment.example.com' },
      aws,
    );

    // Assess
    expect(settings.baseUrl).toBe('https://fulfillment.example.com');
    expect(settings.validationProducts).toEqual([]);
  });

  it('name the missing parameter, and fall back to CONNECT_API_URL for a stack without ConnectApiUrl', async () => {
    // Prepare
    const { '/connect-fulfillment/prod/api-key': _, ...withoutKey } = prodParameters;
    const older = fakeAws({ HttpApiUrl: STACK_URL }, prodParameters).aws;

    // Act
    const missingKey = stageSettings(
      { stage: 'prod', region: 'eu-west-1' },
      fakeAws(prodOutputs, withoutKey).aws,
    );
    const noApiUrl = stageSettings({ stage: 'prod', region: 'eu-west-1' }, older);
    const fromEnv = await stageSettings({ stage: 'prod', region: 'eu-west-1' }, older, {
      CONNECT_API_URL: 'https://api.cnct.tech/public/v1',
    });

    // Assess
    await expect(missingKey).rejects.toThrow(
      'SSM parameter /connect-fulfillment/prod/api-key is missing or empty (region eu-west-1)',
    );
    await expect(noApiUrl).rejects.toThrow(/no ConnectApiUrl output .* set CONNECT_API_URL/);
    expect(fromEnv.apiUrl).toBe('https://api.cnct.tech/public/v1');
  });

  it('refuse a stage name that could not be a stack name', async () => {
    // Act
    const result = stageSettings({ stage: 'prod/../x', region: 'eu-west-1' }, fakeAws({}, {}).aws);

    // Assess
    await expect(result).rejects.toThrow('Invalid stage name: prod/../x');
  });
});
