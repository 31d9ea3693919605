/**
 * The stand-in's only I/O: ECR repository calls through @aws-sdk/client-ecr, against whatever
 * AWS_ENDPOINT_URL_ECR names (in tests, the moto emulator behind its counting proxy).
 *
 * Error messages follow terraform-provider-aws: "<action-ing> ECR Repository (<name>): <cause>".
 */
import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type ImageTagMutability,
  type Repository,
} from "@aws-sdk/client-ecr";
import { normalized, type EncryptionConfiguration } from "./repositoryModel";
import type { PropertyMap } from "./protocol";

export type Env = Record<string, string | undefined>;

export function ecrClient(region: string, env: Env): ECRClient {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return new ECRClient({
    region,
    endpoint: env.AWS_ENDPOINT_URL_ECR || undefined,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    maxAttempts: 1,
  });
}

function describeError(action: string, name: string, err: unknown): Error {
  const e = err as { name?: string; message?: string };
  return new Error(`${action} ECR Repository (${name}): ${e.name ?? "Error"}: ${e.message ?? String(err)}`);
}

function tagList(tags: PropertyMap): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value: String(Value) }));
}

/** The repository, or undefined when ECR says it does not exist. */
export async function findRepository(client: ECRClient, name: string): Promise<Repository | undefined> {
  try {
    const out = await client.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    return out.repositories?.[0];
  } catch (err) {
    if ((err as { name?: string }).name === "RepositoryNotFoundException") return undefined;
    throw describeError("reading", name, err);
  }
}

async function tagsOf(client: ECRClient, repo: Repository): Promise<Record<string, string>> {
  try {
    const out = await client.send(new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }));
    return Object.fromEntries((out.tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
  } catch (err) {
    throw describeError("listing tags for", repo.repositoryName ?? "", err);
  }
}

/** Outputs shaped like pulumi-aws 7.x's Repository state. */
export async function outputsOf(
  client: ECRClient,
  repo: Repository,
  inputs: PropertyMap,
  region: string,
): Promise<PropertyMap> {
  const tagsAll = await tagsOf(client, repo);
  const encryption: EncryptionConfiguration = {
    encryptionType: repo.encryptionConfiguration?.encryptionType ?? "AES256",
    kmsKey: repo.encryptionConfiguration?.kmsKey ?? "",
  };
  return {
    arn: repo.repositoryArn,
    encryptionConfigurations: [encryption],
    forceDelete: inputs.forceDelete ?? false,
    imageScanningConfiguration: { scanOnPush: repo.imageScanningConfiguration?.scanOnPush ?? false },
    imageTagMutability: repo.imageTagMutability ?? "MUTABLE",
    imageTagMutabilityExclusionFilters: [],
    name: repo.repositoryName,
    region,
    registryId: repo.registryId,
    repositoryUrl: repo.repositoryUri,
    tags: inputs.tags,
    tagsAll,
  };
}

export async function createRepository(client: ECRClient, inputs: PropertyMap): Promise<Repository> {
  const name = String(inputs.name);
  const [encryption] = normalized("encryptionConfigurations", inputs.encryptionConfigurations) as EncryptionConfiguration[];
  const tags = (inputs.tags ?? {}) as PropertyMap;
  try {
    const out = await client.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        imageTagMutability: normalized("imageTagMutability", inputs.imageTagMutability) as ImageTagMutability,
        imageScanningConfiguration: normalized("imageScanningConfiguration", inputs.imageScanningConfiguration) as {
          scanOnPush: boolean;
        },
        encryptionConfiguration: {
          encryptionType: encryption.encryptionType as "AES256",
          kmsKey: encryption.kmsKey || undefined,
        },
        tags: Object.keys(tags).length > 0 ? tagList(tags) : undefined,
      }),
    );
    if (!out.repository) throw new Error("CreateRepository returned no repository");
    return out.repository;
  } catch (err) {
    throw describeError("creating", name, err);
  }
}

export async function updateRepository(
  client: ECRClient,
  repo: Repository,
  olds: PropertyMap,
  news: PropertyMap,
  changed: string[],
): Promise<void> {
  const name = repo.repositoryName ?? String(news.name);
  try {
    if (changed.includes("imageTagMutability")) {
      await client.send(
        new PutImageTagMutabilityCommand({
          repositoryName: name,
          imageTagMutability: normalized("imageTagMutability", news.imageTagMutability) as ImageTagMutability,
        }),
      );
    }
    if (changed.includes("imageScanningConfiguration")) {
      await client.send(
        new PutImageScanningConfigurationCommand({
          repositoryName: name,
          imageScanningConfiguration: normalized("imageScanningConfiguration", news.imageScanningConfiguration) as {
            scanOnPush: boolean;
          },
        }),
      );
    }
    if (changed.includes("tags")) {
      const oldTags = (olds.tags ?? {}) as PropertyMap;
      const newTags = (news.tags ?? {}) as PropertyMap;
      const removed = Object.keys(oldTags).filter((k) => !(k in newTags));
      const setOrChanged = Object.fromEntries(Object.entries(newTags).filter(([k, v]) => oldTags[k] !== v));
      if (removed.length > 0) {
        await client.send(new UntagResourceCommand({ resourceArn: repo.repositoryArn, tagKeys: removed }));
      }
      if (Object.keys(setOrChanged).length > 0) {
        await client.send(new TagResourceCommand({ resourceArn: repo.repositoryArn, tags: tagList(setOrChanged) }));
      }
    }
  } catch (err) {
    throw describeError("updating", name, err);
  }
}

/** Deletes the repository; one that is already gone counts as deleted, as in the real provider. */
export async function deleteRepository(client: ECRClient, name: string, force: boolean): Promise<void> {
  try {
    await client.send(new DeleteRepositoryCommand({ repositoryName: name, force }));
  } catch (err) {
    if ((err as { name?: string }).name === "RepositoryNotFoundException") return;
    throw describeError("deleting", name, err);
  }
}
