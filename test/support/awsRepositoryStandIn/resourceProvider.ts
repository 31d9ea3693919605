/**
 * The engine's ResourceProvider gRPC service for the one AWS resource the program uses,
 * `aws:ecr/repository:Repository`, plus the AWS invokes a program commonly makes
 * (getRegion, getCallerIdentity, getPartition). Every other method answers UNIMPLEMENTED, and any
 * other resource type fails Check with a message saying so.
 *
 * The engine talks to it exactly as to the real `pulumi-resource-aws` plugin: Configure with the
 * `aws:*` stack config, then Check/Diff/Create/Read/Update/Delete.
 */
import {
  UNKNOWN,
  containsUnknown,
  empty,
  fromStruct,
  pluginPb,
  providerPb,
  toStruct,
  type PropertyMap,
} from "./protocol";
import { REPOSITORY_TYPE, checkInputs, diffInputs } from "./repositoryModel";
import {
  createRepository,
  deleteRepository,
  ecrClient,
  findRepository,
  outputsOf,
  updateRepository,
  type Env,
} from "./ecrRepositories";

/** The plugin version the stand-in reports: the one @pulumi/aws asks the engine for. */
export const AWS_PLUGIN_VERSION: string = require("@pulumi/aws/package.json").pulumi.version;

export interface ProviderOptions {
  /** Environment for the ECR client: AWS_ENDPOINT_URL_ECR, credentials, AWS_REGION fallback. */
  env: Env;
  /** Called for every gRPC method, for tests that assert the engine really used the stand-in. */
  onCall?: (method: string, detail?: string) => void;
  /** Awaited before each real (non-preview) Create: lets a test hold an operation in flight. */
  beforeCreate?: () => Promise<void>;
}

type Handler = (call: { request: any }, callback: (err: unknown, response?: unknown) => void) => void;

function typeOf(urn: string): string {
  // urn:pulumi:<stack>::<project>::<qualified type>::<name>; the last type in the chain is ours
  const parts = urn.split("::");
  const qualified = parts[2] ?? "";
  const types = qualified.split("$");
  return types[types.length - 1] ?? "";
}

function nameOf(urn: string): string {
  const parts = urn.split("::");
  return parts[parts.length - 1] ?? "";
}

/** `region` from the provider's config: variables are keyed "aws:config:region", args "region". */
function configuredRegionOf(req: any): string | undefined {
  const variables: Map<string, string> = new Map(req.getVariablesMap().toArray());
  const args = fromStruct(req.getArgs());
  return (
    variables.get("aws:config:region") ??
    variables.get("aws:region") ??
    (typeof args.region === "string" ? args.region : undefined)
  );
}

function grpcError(err: unknown): Error & { code: number; details: string } {
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(message), { code: 2 /* UNKNOWN */, details: message });
}

export function createResourceProvider(options: ProviderOptions): Record<string, Handler> {
  const account = options.env.MOTO_ACCOUNT_ID ?? "123456789012";
  // the region from the provider config; one engine at a time configures it (see README notes in index.ts)
  let configuredRegion: string | undefined = options.env.AWS_REGION ?? options.env.AWS_DEFAULT_REGION;

  const regionFor = (props: PropertyMap): string => {
    const region = typeof props.region === "string" && props.region !== UNKNOWN ? props.region : configuredRegion;
    if (!region) {
      throw new Error(
        "the AWS stand-in has no region: set the stack config aws:region (or AWS_REGION in the stand-in's env)",
      );
    }
    return region;
  };
  const client = (props: PropertyMap) => ecrClient(regionFor(props), options.env);

  const unary =
    (method: string, fn: (request: any) => Promise<unknown> | unknown, detail?: (request: any) => string): Handler =>
    (call, callback) => {
      options.onCall?.(method, detail?.(call.request));
      Promise.resolve()
        .then(() => fn(call.request))
        .then(
          (response) => callback(null, response),
          (err) => callback(grpcError(err)),
        );
    };

  const assertRepository = (urn: string) => {
    const type = typeOf(urn);
    if (type !== REPOSITORY_TYPE) {
      throw new Error(`the AWS stand-in for tests implements only ${REPOSITORY_TYPE}, not ${type} (${urn})`);
    }
  };

  return {
    getPluginInfo: unary("GetPluginInfo", () => new pluginPb.PluginInfo().setVersion(AWS_PLUGIN_VERSION)),

    attach: unary("Attach", () => empty()),

    cancel: unary("Cancel", () => empty()),

    checkConfig: unary("CheckConfig", (req) => {
      const response = new providerPb.CheckResponse();
      response.setInputs(toStruct(fromStruct(req.getNews())));
      return response;
    }),

    diffConfig: unary("DiffConfig", (req) => {
      const olds = fromStruct(req.getOldInputs() ?? req.getOlds());
      const news = fromStruct(req.getNews());
      const changed = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
        (k) => k !== "version" && JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
      );
      const response = new providerPb.DiffResponse();
      response.setChanges(
        changed.length > 0 ? providerPb.DiffResponse.DiffChanges.DIFF_SOME : providerPb.DiffResponse.DiffChanges.DIFF_NONE,
      );
      response.setDiffsList(changed);
      return response;
    }),

    configure: unary(
      "Configure",
      (req) => {
        const region = configuredRegionOf(req);
        if (region && region !== UNKNOWN) configuredRegion = region;
        const response = new providerPb.ConfigureResponse();
        // secrets arrive as plain values and the engine re-marks the outputs of secret inputs
        response.setAcceptsecrets(false);
        response.setSupportspreview(true);
        response.setAcceptresources(false);
        response.setAcceptoutputs(false);
        return response;
      },
      (req) => `region=${configuredRegionOf(req) ?? "(none)"}`,
    ),

    check: unary(
      "Check",
      (req) => {
        const urn: string = req.getUrn();
        assertRepository(urn);
        const olds = fromStruct(req.getOlds());
        const inputs = { ...fromStruct(req.getNews()) };
        if (inputs.name === undefined) {
          // autonaming, as pulumi-aws does for an absent name: keep the old name, else name + random suffix
          const seed = Buffer.from(req.getRandomseed_asU8?.() ?? []).toString("hex");
          inputs.name =
            olds.name ?? req.getAutonaming?.()?.getProposedName?.() ?? `${nameOf(urn)}-${seed.slice(0, 7) || "0000000"}`;
          if (typeof inputs.name === "string") inputs.name = inputs.name.toLowerCase();
        }
        const response = new providerPb.CheckResponse();
        response.setInputs(toStruct(inputs));
        response.setFailuresList(
          checkInputs(inputs).map((f) => new providerPb.CheckFailure().setProperty(f.property).setReason(f.reason)),
        );
        return response;
      },
      (req) => req.getUrn(),
    ),

    diff: unary(
      "Diff",
      (req) => {
        assertRepository(req.getUrn());
        const oldInputs = req.getOldInputs() ? fromStruct(req.getOldInputs()) : undefined;
        const olds = oldInputs && Object.keys(oldInputs).length > 0 ? oldInputs : fromStruct(req.getOlds());
        const news = fromStruct(req.getNews());
        const { replaces, updates } = diffInputs(olds, news, req.getIgnorechangesList());
        const response = new providerPb.DiffResponse();
        const changed = [...replaces, ...updates];
        response.setChanges(
          changed.length > 0 ? providerPb.DiffResponse.DiffChanges.DIFF_SOME : providerPb.DiffResponse.DiffChanges.DIFF_NONE,
        );
        response.setReplacesList(replaces);
        response.setDiffsList(changed);
        response.setDeletebeforereplace(false);
        response.setHasdetaileddiff(true);
        const detailed = response.getDetaileddiffMap();
        for (const key of replaces) {
          detailed.set(key, new providerPb.PropertyDiff().setKind(providerPb.PropertyDiff.Kind.UPDATE_REPLACE).setInputdiff(true));
        }
        for (const key of updates) {
          detailed.set(key, new providerPb.PropertyDiff().setKind(providerPb.PropertyDiff.Kind.UPDATE).setInputdiff(true));
        }
        return response;
      },
      (req) => req.getUrn(),
    ),

    create: unary(
      "Create",
      async (req) => {
        assertRepository(req.getUrn());
        const inputs = fromStruct(req.getProperties());
        const region = regionFor(inputs);
        const response = new providerPb.CreateResponse();
        if (req.getPreview()) {
          const name = inputs.name;
          response.setId(typeof name === "string" && !containsUnknown(name) ? name : "");
          response.setProperties(
            toStruct({
              ...inputs,
              arn: UNKNOWN,
              registryId: UNKNOWN,
              repositoryUrl: UNKNOWN,
              tagsAll: UNKNOWN,
              region,
              forceDelete: inputs.forceDelete ?? false,
              imageTagMutability: inputs.imageTagMutability ?? "MUTABLE",
            }),
          );
          return response;
        }
        await options.beforeCreate?.();
        const ecr = client(inputs);
        const repo = await createRepository(ecr, inputs);
        response.setId(repo.repositoryName ?? String(inputs.name));
        response.setProperties(toStruct(await outputsOf(ecr, repo, inputs, region)));
        return response;
      },
      (req) => `${req.getUrn()}${req.getPreview() ? " (preview)" : ""}`,
    ),

    read: unary(
      "Read",
      async (req) => {
        assertRepository(req.getUrn());
        const id: string = req.getId();
        const props = fromStruct(req.getProperties());
        const oldInputs = fromStruct(req.getInputs());
        const region = regionFor({ ...oldInputs, region: oldInputs.region ?? props.region });
        const ecr = ecrClient(region, options.env);
        const repo = await findRepository(ecr, id);
        const response = new providerPb.ReadResponse();
        if (!repo) {
          // gone: an empty id tells the engine to drop the resource from state
          response.setId("");
          return response;
        }
        const outputs = await outputsOf(ecr, repo, { ...props, ...oldInputs }, region);
        const inputs: PropertyMap = { ...oldInputs };
        if (Object.keys(oldInputs).length === 0) {
          // import or .get: derive inputs from what exists
          Object.assign(inputs, { name: outputs.name, imageTagMutability: outputs.imageTagMutability });
        } else {
          inputs.name = outputs.name;
          if (inputs.imageTagMutability !== undefined || outputs.imageTagMutability !== "MUTABLE") {
            inputs.imageTagMutability = outputs.imageTagMutability;
          }
          if (inputs.tags !== undefined || Object.keys(outputs.tagsAll as PropertyMap).length > 0) {
            inputs.tags = outputs.tagsAll;
          }
          outputs.tags = inputs.tags;
        }
        response.setId(id);
        response.setProperties(toStruct(outputs));
        response.setInputs(toStruct(inputs));
        return response;
      },
      (req) => req.getUrn(),
    ),

    update: unary(
      "Update",
      async (req) => {
        assertRepository(req.getUrn());
        const olds = fromStruct(req.getOlds());
        const oldInputs = req.getOldInputs() ? fromStruct(req.getOldInputs()) : {};
        const news = fromStruct(req.getNews());
        const region = regionFor({ ...news, region: news.region ?? olds.region });
        const response = new providerPb.UpdateResponse();
        if (req.getPreview()) {
          response.setProperties(toStruct({ ...olds, ...news, region }));
          return response;
        }
        const ecr = ecrClient(region, options.env);
        const id: string = req.getId();
        const repo = await findRepository(ecr, id);
        if (!repo) throw new Error(`updating ECR Repository (${id}): RepositoryNotFoundException: it no longer exists`);
        const before = Object.keys(oldInputs).length > 0 ? oldInputs : olds;
        const { updates } = diffInputs(before, news, req.getIgnorechangesList());
        // tags: compare with what the repository actually carries, so removals reach ECR
        await updateRepository(ecr, repo, { ...before, tags: olds.tagsAll ?? before.tags }, news, updates);
        const fresh = (await findRepository(ecr, id)) ?? repo;
        response.setProperties(toStruct(await outputsOf(ecr, fresh, news, region)));
        return response;
      },
      (req) => req.getUrn(),
    ),

    delete: unary(
      "Delete",
      async (req) => {
        assertRepository(req.getUrn());
        const props = fromStruct(req.getProperties());
        const region = regionFor(props);
        await deleteRepository(ecrClient(region, options.env), req.getId(), props.forceDelete === true);
        return empty();
      },
      (req) => req.getUrn(),
    ),

    invoke: unary(
      "Invoke",
      (req) => {
        const tok: string = req.getTok();
        const args = fromStruct(req.getArgs());
        const response = new providerPb.InvokeResponse();
        switch (tok) {
          case "aws:index/getRegion:getRegion": {
            const region = typeof args.region === "string" ? args.region : regionFor({});
            response.setReturn(
              toStruct({
                id: region,
                name: region,
                region,
                endpoint: `ec2.${region}.amazonaws.com`,
                description: region,
              }),
            );
            return response;
          }
          case "aws:index/getCallerIdentity:getCallerIdentity":
            response.setReturn(
              toStruct({
                id: account,
                accountId: account,
                arn: `arn:aws:iam::${account}:user/moto`,
                userId: "AKIAIOSFODNN7EXAMPLE",
              }),
            );
            return response;
          case "aws:index/getPartition:getPartition":
            response.setReturn(
              toStruct({ id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsSuffix: "com.amazonaws" }),
            );
            return response;
          default:
            throw new Error(`the AWS stand-in for tests does not implement the function ${tok}`);
        }
      },
      (req) => req.getTok(),
    ),
  };
}
