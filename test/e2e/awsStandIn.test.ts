/**
 * The AWS stand-in the end-to-end tier attaches as the `aws` provider, checked on its own over
 * gRPC against the ECR emulator (no CLI needed), so a failure in the engine-level suites can be
 * told apart from a fault of the stand-in.
 */
import assert from "node:assert/strict";
import { DescribeRepositoriesCommand, ECRClient, ListTagsForResourceCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import { emulatorEnv, startEcrEmulator, type EcrEmulator } from "../support/ecrEmulator";
import { startAwsStandIn, type AwsStandIn } from "../support/awsRepositoryStandIn";
import {
  empty,
  fromStruct,
  grpc,
  providerGrpc,
  providerPb,
  toStruct,
  type PropertyMap,
} from "../support/awsRepositoryStandIn/protocol";

const REGION = "eu-west-1";
const URN = "urn:pulumi:test::ecr-registry-scanning::ecrscan:index:ScannedRepository$aws:ecr/repository:Repository::scanned-repo";

describe("e2e support: the AWS stand-in for aws:ecr/repository:Repository", function () {
  this.timeout(30_000);
  let emulator: EcrEmulator;
  let standIn: AwsStandIn;
  let client: any;
  let ecr: ECRClient;

  const call = <T = any>(method: string, request: unknown): Promise<T> =>
    new Promise((resolve, reject) => client[method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));

  const create = async (props: PropertyMap) => {
    const res = await call("create", new providerPb.CreateRequest().setUrn(URN).setProperties(toStruct(props)));
    return { id: res.getId() as string, outputs: fromStruct(res.getProperties()) };
  };

  before(async () => {
    emulator = await startEcrEmulator();
    standIn = await startAwsStandIn({ env: emulatorEnv(emulator, "us-east-1") });
    const Client = grpc.makeGenericClientConstructor(providerGrpc.ResourceProviderService as any, "ResourceProvider");
    client = new (Client as any)(`127.0.0.1:${standIn.port}`, grpc.credentials.createInsecure());
    ecr = new ECRClient({
      region: REGION,
      endpoint: emulator.motoUrl,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const configure = new providerPb.ConfigureRequest();
    configure.getVariablesMap().set("aws:config:region", REGION);
    await call("configure", configure);
  });

  after(async () => {
    client?.close();
    await standIn?.stop();
    await emulator?.stop();
  });

  beforeEach(() => emulator.reset());

  it("reports the plugin version @pulumi/aws asks for", async () => {
    const info = await call("getPluginInfo", empty());
    assert.equal(info.getVersion(), require("@pulumi/aws/package.json").pulumi.version);
    assert.equal(standIn.debugProvidersEnv.PULUMI_DEBUG_PROVIDERS, `aws:${standIn.port}`);
  });

  it("fails Check for an invalid name, naming the value and the rule", async () => {
    const res = await call("check", new providerPb.CheckRequest().setUrn(URN).setNews(toStruct({ name: "Fa-083" })));
    const failures = res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() }));
    assert.equal(failures.length, 1);
    assert.equal(failures[0].property, "name");
    assert.match(failures[0].reason, /"Fa-083"/);
    assert.match(failures[0].reason, /lowercase letters and digits/);
  });

  it("passes Check for a valid name and names an absent one after the resource", async () => {
    const ok = await call("check", new providerPb.CheckRequest().setUrn(URN).setNews(toStruct({ name: "team/fa-083", forceDelete: true })));
    assert.equal(ok.getFailuresList().length, 0);
    const named = await call("check", new providerPb.CheckRequest().setUrn(URN).setNews(toStruct({})).setRandomseed(Buffer.from("abcdef12", "hex")));
    assert.match(String(fromStruct(named.getInputs()).name), /^scanned-repo-abcdef1$/);
  });

  it("fails Check for resource types other than the repository", async () => {
    await assert.rejects(
      call("check", new providerPb.CheckRequest().setUrn("urn:pulumi:test::p::aws:s3/bucket:Bucket::b").setNews(toStruct({}))),
      /implements only aws:ecr\/repository:Repository, not aws:s3\/bucket:Bucket/,
    );
  });

  it("diffs name as a replacement and the mutable fields as in-place updates", async () => {
    const olds = { name: "fa-083", forceDelete: true };
    const diff = async (news: PropertyMap) => {
      const res = await call(
        "diff",
        new providerPb.DiffRequest().setUrn(URN).setId("fa-083").setOlds(toStruct(olds)).setOldInputs(toStruct(olds)).setNews(toStruct(news)),
      );
      return { changes: res.getChanges(), replaces: res.getReplacesList(), diffs: res.getDiffsList() };
    };
    const SOME = providerPb.DiffResponse.DiffChanges.DIFF_SOME;
    const NONE = providerPb.DiffResponse.DiffChanges.DIFF_NONE;

    assert.deepEqual(await diff({ name: "fa-083", forceDelete: true, imageTagMutability: "MUTABLE" }), {
      changes: NONE,
      replaces: [],
      diffs: [],
    });
    assert.deepEqual(await diff({ name: "fa-084", forceDelete: true }), { changes: SOME, replaces: ["name"], diffs: ["name"] });
    assert.deepEqual(await diff({ name: "fa-083", forceDelete: false, tags: { team: "x" }, imageTagMutability: "IMMUTABLE" }), {
      changes: SOME,
      replaces: [],
      diffs: ["imageTagMutability", "forceDelete", "tags"],
    });
  });

  it("creates the repository in the configured Region with the real provider's outputs", async () => {
    const { id, outputs } = await create({ name: "fa-083", forceDelete: true, tags: { team: "x" } });

    assert.equal(id, "fa-083");
    assert.deepEqual(outputs, {
      arn: `arn:aws:ecr:${REGION}:123456789012:repository/fa-083`,
      encryptionConfigurations: [{ encryptionType: "AES256", kmsKey: "" }],
      forceDelete: true,
      imageScanningConfiguration: { scanOnPush: false },
      imageTagMutability: "MUTABLE",
      imageTagMutabilityExclusionFilters: [],
      name: "fa-083",
      region: REGION,
      registryId: "123456789012",
      repositoryUrl: `123456789012.dkr.ecr.${REGION}.amazonaws.com/fa-083`,
      tags: { team: "x" },
      tagsAll: { team: "x" },
    });
    const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["fa-083"] }));
    assert.equal(described.repositories?.length, 1);
  });

  it("updates tag mutability and tags in place", async () => {
    const { outputs } = await create({ name: "fa-083", tags: { a: "1", b: "2" } });

    const res = await call(
      "update",
      new providerPb.UpdateRequest()
        .setUrn(URN)
        .setId("fa-083")
        .setOlds(toStruct(outputs))
        .setOldInputs(toStruct({ name: "fa-083", tags: { a: "1", b: "2" } }))
        .setNews(toStruct({ name: "fa-083", imageTagMutability: "IMMUTABLE", tags: { a: "1", c: "3" } })),
    );

    const updated = fromStruct(res.getProperties());
    assert.equal(updated.imageTagMutability, "IMMUTABLE");
    assert.deepEqual(updated.tagsAll, { a: "1", c: "3" });
    const tags = await ecr.send(new ListTagsForResourceCommand({ resourceArn: String(outputs.arn) }));
    assert.deepEqual(Object.fromEntries((tags.tags ?? []).map((t) => [t.Key, t.Value])), { a: "1", c: "3" });
  });

  it("reads a repository that is gone as an empty id", async () => {
    const res = await call("read", new providerPb.ReadRequest().setUrn(URN).setId("never-created").setProperties(toStruct({})));
    assert.equal(res.getId(), "");
  });

  it("refuses to delete a repository holding images without forceDelete, like the real provider", async () => {
    const { outputs } = await create({ name: "fa-083", forceDelete: false });
    await ecr.send(
      new PutImageCommand({
        repositoryName: "fa-083",
        imageTag: "v1",
        imageManifest: JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.docker.distribution.manifest.v2+json",
          config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${"b".repeat(64)}` },
          layers: [],
        }),
      }),
    );

    await assert.rejects(
      call("delete", new providerPb.DeleteRequest().setUrn(URN).setId("fa-083").setProperties(toStruct(outputs))),
      /deleting ECR Repository \(fa-083\): RepositoryNotEmptyException/,
    );

    await call("delete", new providerPb.DeleteRequest().setUrn(URN).setId("fa-083").setProperties(toStruct({ ...outputs, forceDelete: true })));
    await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["fa-083"] })), /RepositoryNotFound/);
  });

  it("treats deleting a repository that is already gone as done", async () => {
    await call("delete", new providerPb.DeleteRequest().setUrn(URN).setId("gone").setProperties(toStruct({ region: REGION })));
  });
});
