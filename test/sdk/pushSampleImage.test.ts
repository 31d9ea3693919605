import assert from "node:assert/strict";
import { ECRClient, ECRServiceException, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { runPushSampleImage } from "../../tools/pushSampleImage";
import { decodeAuthorizationToken } from "../../tools/pushSampleImage/auth";
import type { DockerResult, DockerRunOptions } from "../../tools/pushSampleImage/docker";

// created in before() and restored in after(), so other files of this mocha process get a clean ECRClient
let ecr: AwsClientStub<ECRClient>;

const REGION = "eu-west-1";
const PASSWORD = "eyJwYXlsb2FkIjoi:c2VjcmV0";
const PROXY_ENDPOINT = `https://123456789012.dkr.ecr.${REGION}.amazonaws.com`;
const IMAGE = `123456789012.dkr.ecr.${REGION}.amazonaws.com/fa-083:v1`;
const ARGS = ["--repository", "fa-083", "--tag", "v1", "--region", REGION];
const OK: DockerResult = { exitCode: 0, stdout: "", stderr: "" };
const DAEMON_DOWN: DockerResult = {
  exitCode: 1,
  stdout: "",
  stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n",
};
const USAGE = "usage: npm run push-sample-image -- --repository NAME [--tag latest] [--region R]";

interface Run {
  code: number;
  out: string[];
  err: string[];
  docker: { args: string[]; options?: DockerRunOptions }[];
  regions: string[];
}

/** Runs the tool with a fake docker; `answers` maps a docker subcommand to its result or failure. */
async function pushSampleImage(
  argv: string[],
  answers: Record<string, DockerResult | Error> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<Run> {
  const run: Run = { code: -1, out: [], err: [], docker: [], regions: [] };
  run.code = await runPushSampleImage(argv, {
    env,
    stdout: (line) => run.out.push(line),
    stderr: (line) => run.err.push(line),
    createClient: (region) => {
      run.regions.push(region);
      return new ECRClient({ region });
    },
    docker: async (args, options) => {
      run.docker.push(options === undefined ? { args } : { args, options });
      const answer = answers[args[0]] ?? OK;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    projectRoot: "/work/project",
  });
  return run;
}

function tokenIssued(): void {
  ecr.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [
      {
        authorizationToken: Buffer.from(`AWS:${PASSWORD}`).toString("base64"),
        proxyEndpoint: PROXY_ENDPOINT,
        expiresAt: new Date("2026-01-01T12:00:00Z"),
      },
    ],
  });
}

describe("push-sample-image", () => {
  before(() => {
    ecr = mockClient(ECRClient);
  });
  beforeEach(() => ecr.reset());
  after(() => ecr.restore());

  it("checks docker, logs in with the token from GetAuthorizationToken, builds the Dockerfile and pushes", async () => {
    // GIVEN
    tokenIssued();
    // WHEN
    const run = await pushSampleImage(ARGS);
    // THEN
    assert.equal(run.code, 0);
    assert.deepEqual(run.docker, [
      { args: ["version", "--format", "{{.Server.Version}}"] },
      { args: ["login", "--username", "AWS", "--password-stdin", PROXY_ENDPOINT], options: { input: PASSWORD } },
      { args: ["build", "--tag", IMAGE, "/work/project"], options: { stream: true } },
      { args: ["push", IMAGE], options: { stream: true } },
    ]);
    assert.deepEqual(run.out, [
      `Logging in to 123456789012.dkr.ecr.${REGION}.amazonaws.com`,
      `Building ${IMAGE} from /work/project/Dockerfile`,
      `Pushing ${IMAGE}`,
      `Pushed ${IMAGE}`,
      `Scan report: npm run scan-report -- --repository fa-083 --tag v1 --region ${REGION}`,
    ]);
    assert.deepEqual(run.err, []);
    assert.deepEqual(run.regions, [REGION]);
    assert.deepEqual(ecr.commandCalls(GetAuthorizationTokenCommand)[0].args[0].input, {});
  });

  it("never puts the registry password on a command line", async () => {
    tokenIssued();
    const run = await pushSampleImage(ARGS);
    assert.equal(run.docker.flatMap((call) => call.args).some((arg) => arg.includes(PASSWORD)), false);
  });

  it("tags the image latest when no --tag is given", async () => {
    tokenIssued();
    const run = await pushSampleImage(["--repository", "fa-083", "--region", REGION]);
    assert.equal(run.code, 0);
    assert.deepEqual(run.docker.at(-1)?.args, ["push", `123456789012.dkr.ecr.${REGION}.amazonaws.com/fa-083:latest`]);
  });

  it("takes the Region from AWS_REGION when --region is absent", async () => {
    tokenIssued();
    const run = await pushSampleImage(["--repository", "fa-083"], {}, { AWS_REGION: "us-east-2" });
    assert.equal(run.code, 0);
    assert.deepEqual(run.regions, ["us-east-2"]);
  });

  describe("docker problems", () => {
    it("says docker is not installed when there is no docker command, before asking AWS for a token", async () => {
      const missing = Object.assign(new Error("spawn docker ENOENT"), { code: "ENOENT" });

      const run = await pushSampleImage(ARGS, { version: missing });

      assert.equal(run.code, 1);
      assert.deepEqual(run.err, [
        "checking docker: docker is not installed: there is no docker command on PATH. Install Docker, then run this again.",
      ]);
      assert.equal(ecr.commandCalls(GetAuthorizationTokenCommand).length, 0);
    });

    it("says the daemon is not running when docker version cannot reach it", async () => {
      const run = await pushSampleImage(ARGS, { version: DAEMON_DOWN });

      assert.equal(run.code, 1);
      assert.deepEqual(run.err, [
        "checking docker: docker is installed, but its daemon is not running or not reachable (Cannot connect to the " +
          "Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?). Start Docker (Docker Desktop, " +
          'or "sudo systemctl start docker") and check that your user may use it.',
      ]);
      assert.equal(ecr.commandCalls(GetAuthorizationTokenCommand).length, 0);
      assert.equal(run.docker.length, 1);
    });

    it("stops before building when docker login fails", async () => {
      tokenIssued();
      const denied = { exitCode: 1, stdout: "", stderr: "Error response from daemon: login attempt failed with status: 400 Bad Request\n" };

      const run = await pushSampleImage(ARGS, { login: denied });

      assert.equal(run.code, 1);
      assert.deepEqual(run.err, [
        `logging in to 123456789012.dkr.ecr.${REGION}.amazonaws.com with docker: docker login exited with code 1: ` +
          "Error response from daemon: login attempt failed with status: 400 Bad Request",
      ]);
      assert.deepEqual(
        run.docker.map((call) => call.args[0]),
        ["version", "login"],
      );
    });

    it("stops before pushing when the build fails", async () => {
      tokenIssued();

      const run = await pushSampleImage(ARGS, { build: { exitCode: 1, stdout: "", stderr: "" } });

      assert.equal(run.code, 1);
      assert.deepEqual(run.err, [
        `building ${IMAGE} from /work/project/Dockerfile: docker build exited with code 1 (its output is above)`,
      ]);
      assert.deepEqual(
        run.docker.map((call) => call.args[0]),
        ["version", "login", "build"],
      );
    });

    it("points at the repository when the push fails", async () => {
      tokenIssued();

      const run = await pushSampleImage(ARGS, { push: { exitCode: 1, stdout: "", stderr: "" } });

      assert.equal(run.code, 1);
      assert.deepEqual(run.err, [
        `pushing ${IMAGE}: docker push exited with code 1 (its output is above). ` +
          `Check that repository "fa-083" exists in ${REGION}.`,
      ]);
    });
  });

  describe("AWS problems", () => {
    it("names the IAM actions a push needs when the token is denied", async () => {
      ecr.on(GetAuthorizationTokenCommand).rejects(
        new ECRServiceException({
          name: "AccessDeniedException",
          $fault: "client",
          message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken",
          $metadata: { requestId: "r-2" },
        }),
      );

      const run = await pushSampleImage(ARGS);

      assert.equal(run.code, 1);
      assert.deepEqual(run.err, [
        `getting an ECR authorization token (${REGION}): AccessDeniedException: User: arn:aws:iam::123456789012:user/ci ` +
          "is not authorized to perform: ecr:GetAuthorizationToken (request id r-2)\n" +
          "Access denied: pushing needs the IAM actions ecr:GetAuthorizationToken, ecr:BatchCheckLayerAvailability, " +
          "ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage.",
      ]);
      assert.deepEqual(
        run.docker.map((call) => call.args[0]),
        ["version"],
      );
    });

    it("rejects a token that is not base64 of user:password", async () => {
      ecr.on(GetAuthorizationTokenCommand).resolves({
        authorizationData: [{ authorizationToken: Buffer.from("no-colon").toString("base64"), proxyEndpoint: PROXY_ENDPOINT }],
      });

      const run = await pushSampleImage(ARGS);

      assert.equal(run.code, 1);
      assert.deepEqual(run.err, [
        `getting an ECR authorization token (${REGION}): the authorization token is not base64 of user:password`,
      ]);
    });
  });

  describe("decodeAuthorizationToken", () => {
    it("splits at the first colon, so the password may contain colons", () => {
      assert.deepEqual(decodeAuthorizationToken(Buffer.from("AWS:a:b:c").toString("base64")), { username: "AWS", password: "a:b:c" });
    });
  });

  describe("usage", () => {
    const usageErrors: [string, string[], NodeJS.ProcessEnv, string][] = [
      ["a missing --repository", ["--region", REGION], {}, "--repository is required"],
      ["an invalid tag", ["--repository", "fa-083", "--tag", "v1:beta", "--region", REGION], {}, '--tag "v1:beta" is not a valid image tag'],
      [
        "an invalid repository name",
        ["--repository", "Fa-083", "--region", REGION],
        {},
        '--repository "Fa-083" must be 2..256 characters of lowercase letters and digits, separated by single ".", "_" or "-" and grouped by "/" (^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$)',
      ],
      ["no Region anywhere", ["--repository", "fa-083"], {}, "no AWS Region: pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)"],
      ["an unexpected argument", ["--repository", "fa-083", "--region", REGION, "extra"], {}, "Unexpected argument 'extra'. This command does not take positional arguments"],
    ];
    for (const [what, argv, env, message] of usageErrors) {
      it(`exits 2 on ${what}, before running docker or calling AWS`, async () => {
        const run = await pushSampleImage(argv, {}, env);
        assert.equal(run.code, 2);
        assert.deepEqual(run.err, [`push-sample-image: ${message}`, USAGE]);
        assert.deepEqual(run.docker, []);
        assert.equal(ecr.calls().length, 0);
      });
    }

    it("prints the usage and exits 0 on --help", async () => {
      const run = await pushSampleImage(["--help"]);
      assert.equal(run.code, 0);
      assert.deepEqual(run.out, [USAGE]);
    });
  });
});
