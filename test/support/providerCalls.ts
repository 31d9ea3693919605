/** Calling the provider object directly, the way the dynamic-provider host would. */
import type * as pulumi from "@pulumi/pulumi";
import { ECRClient, GetRegistryScanningConfigurationCommand, PutRegistryScanningConfigurationCommand } from "@aws-sdk/client-ecr";
import { registryScanningRuleProvider } from "../../provider";
import { expandConfiguration, flattenConfiguration } from "../../provider/ecr";
import type { RegistryConfig, RuleInputs, RuleState } from "../../provider/model";

export const provider = registryScanningRuleProvider as Required<pulumi.dynamic.ResourceProvider<RuleInputs, RuleState>>;

/** Runs configure() with the given stack config, as the engine's Configure RPC would. */
export async function configureProvider(config: Record<string, string>): Promise<void> {
  await provider.configure({
    config: {
      get: (key: string) => config[key],
      require: (key: string) => {
        const value = config[key];
        if (value === undefined) throw new Error(`Missing required configuration key: ${key}`);
        return value;
      },
    },
  });
}

/** check() then, when valid, the normalized inputs; throws on failures so tests read plainly. */
export async function checked(news: Record<string, unknown>): Promise<RuleInputs> {
  const result = await provider.check({} as RuleInputs, news as unknown as RuleInputs);
  if (result.failures?.length) throw new Error(`check failed: ${JSON.stringify(result.failures)}`);
  return result.inputs as RuleInputs;
}

/** A test-side client for arranging and inspecting the emulator's registry. */
export function testClient(endpoint: string, region: string): ECRClient {
  return new ECRClient({
    region,
    endpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    maxAttempts: 1,
  });
}

export async function readRegistry(client: ECRClient): Promise<RegistryConfig> {
  const response = await client.send(new GetRegistryScanningConfigurationCommand({}));
  return flattenConfiguration(response.scanningConfiguration);
}

export async function writeRegistry(client: ECRClient, config: RegistryConfig): Promise<void> {
  await client.send(new PutRegistryScanningConfigurationCommand(expandConfiguration(config)));
}
