/**
 * The only code that talks to AWS: read and write the registry scanning configuration.
 *
 * The SDK module is loaded inside each call and a new client is built per call, from the
 * resolved Region and profile. Nothing here is captured at module scope: the provider is
 * serialized into Pulumi state, and an SDK client or credential must never be part of it.
 *
 * The endpoint is left to the SDK, which honours AWS_ENDPOINT_URL_ECR and AWS_ENDPOINT_URL, so an
 * emulator can stand in for ECR.
 */
import type * as EcrSdk from "@aws-sdk/client-ecr";
import type { RegistryConfig } from "./model";

/** Where to send requests: the Region and, when `aws:profile` is set, the named profile. */
export interface EcrTarget {
  region: string;
  profile?: string;
}

/** Throttling is retried by the SDK's standard strategy; 8 attempts ride out bursts of parallel stacks. */
export const MAX_ATTEMPTS = 8;

export function createEcrClient(target: EcrTarget): EcrSdk.ECRClient {
  const sdk: typeof EcrSdk = require("@aws-sdk/client-ecr");
  return new sdk.ECRClient({
    region: target.region,
    maxAttempts: MAX_ATTEMPTS,
    ...(target.profile ? { profile: target.profile } : {}),
  });
}

/** SDK shape → domain: a missing scanType is BASIC and missing rules are none. */
export function flattenConfiguration(config: EcrSdk.RegistryScanningConfiguration | undefined): RegistryConfig {
  return {
    scanType: config?.scanType ?? "BASIC",
    rules: (config?.rules ?? []).map((rule) => ({
      scanFrequency: rule.scanFrequency ?? "",
      filters: (rule.repositoryFilters ?? []).map((f) => f.filter ?? ""),
    })),
  };
}

/** Domain → SDK request: always both members, and an explicit `rules` list even when empty. */
export function expandConfiguration(config: RegistryConfig): EcrSdk.PutRegistryScanningConfigurationCommandInput {
  return {
    scanType: config.scanType as EcrSdk.ScanType,
    rules: config.rules.map((rule) => ({
      scanFrequency: rule.scanFrequency as EcrSdk.ScanFrequency,
      repositoryFilters: rule.filters.map((filter) => ({ filter, filterType: "WILDCARD" })),
    })),
  };
}

export interface FoundConfiguration {
  registryId: string;
  config: RegistryConfig;
}

export async function findRegistryScanningConfiguration(client: EcrSdk.ECRClient): Promise<FoundConfiguration> {
  const sdk: typeof EcrSdk = require("@aws-sdk/client-ecr");
  const response = await client.send(new sdk.GetRegistryScanningConfigurationCommand({}));
  return { registryId: response.registryId ?? "", config: flattenConfiguration(response.scanningConfiguration) };
}

export async function putRegistryScanningConfiguration(client: EcrSdk.ECRClient, config: RegistryConfig): Promise<void> {
  const sdk: typeof EcrSdk = require("@aws-sdk/client-ecr");
  await client.send(new sdk.PutRegistryScanningConfigurationCommand(expandConfiguration(config)));
}
