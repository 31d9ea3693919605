/**
 * The two ECR reads scan-report makes before it waits: the image itself (so a wrong tag fails at
 * once, and the report can name the digest) and the registry scanning configuration (which decides
 * how to wait, and explains a scan that never appears).
 */
import {
  DescribeImagesCommand,
  GetRegistryScanningConfigurationCommand,
  type ECRClient,
} from "@aws-sdk/client-ecr";
import { flattenConfiguration } from "../../provider/ecr";
import type { RegistryConfig } from "../../provider/model";
import type { ImageId } from "./args";

/** The digest of the image, as ECR stores it. */
export async function findImageDigest(client: ECRClient, repositoryName: string, imageId: ImageId): Promise<string | undefined> {
  const response = await client.send(new DescribeImagesCommand({ repositoryName, imageIds: [imageId] }));
  return response.imageDetails?.[0]?.imageDigest;
}

export interface ScanningConfiguration extends RegistryConfig {
  registryId?: string;
}

/** Reads the registry scanning configuration; a missing scan type reads as BASIC, missing rules as none. */
export async function readScanningConfiguration(client: ECRClient): Promise<ScanningConfiguration> {
  const response = await client.send(new GetRegistryScanningConfigurationCommand({}));
  return { registryId: response.registryId, ...flattenConfiguration(response.scanningConfiguration) };
}
