/** The two AWS reads of a sync for a deployed stage, on the AWS SDK (credentials and region as the CLI's). */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type AwsReaders, SettingsError } from './settings';

/** GetParameters takes at most 10 names per call. */
const SSM_BATCH = 10;

export function awsReaders(region: string): AwsReaders {
  const cloudFormation = new CloudFormationClient({ region });
  const ssm = new SSMClient({ region });
  return {
    async stackOutputs(stackName) {
      const described = await cloudFormation
        .send(new DescribeStacksCommand({ StackName: stackName }))
        .catch((error: unknown) => {
          if (error instanceof Error && /does not exist/.test(error.message)) {
            throw new SettingsError(`Stack ${stackName} does not exist in ${region}: deploy it first`);
          }
          throw error;
        });
      const outputs: Record<string, string> = {};
      for (const output of described.Stacks?.[0]?.Outputs ?? []) {
        if (output.OutputKey && output.OutputValue) outputs[output.OutputKey] = output.OutputValue;
      }
      return outputs;
    },
    async parameters(names) {
      const values = new Map<string, string>();
      for (let start = 0; start < names.length; start += SSM_BATCH) {
        const { Parameters } = await ssm.send(
          new GetParametersCommand({ Names: names.slice(start, start + SSM_BATCH), WithDecryption: true }),
        );
        for (const parameter of Parameters ?? []) {
          if (parameter.Name && parameter.Value !== undefined) values.set(parameter.Name, parameter.Value);
        }
      }
      return values;
    },
  };
}
