/**
 * `npm run push-sample-image`: builds the project's Dockerfile and pushes it to an ECR repository,
 * so a scan-on-push rule has an image to scan. Docker logs in with a token from
 * GetAuthorizationToken, so no aws CLI is needed.
 *
 * Exit codes: 0 pushed; 1 error (docker missing or not running, AWS or docker failure); 2 usage error.
 */
import * as path from "node:path";
import { ECRClient } from "@aws-sdk/client-ecr";
import { parsePushArgs, UsageError, USAGE, type PushOptions } from "./args";
import { getRegistryLogin, type RegistryLogin } from "./auth";
import { checkDocker, runDocker, type DockerRunner } from "./docker";
import { quietSdkNodeVersionWarning } from "../../common/sdkNodeWarning";

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

/** IAM actions a push needs; named whenever access is denied. */
export const PUSH_ACTIONS = [
  "ecr:GetAuthorizationToken",
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
];

export interface PushDeps {
  env: NodeJS.ProcessEnv;
  stdout(line: string): void;
  stderr(line: string): void;
  createClient(region: string): ECRClient;
  docker: DockerRunner;
  /** Directory holding the Dockerfile: the build context. */
  projectRoot: string;
}

// read at each run, not at import: tests and callers may replace process.env in between
const defaultDeps = (): PushDeps => ({
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  // no endpoint here, so the SDK honours AWS_ENDPOINT_URL_ECR
  createClient: (region) => new ECRClient({ region }),
  docker: runDocker,
  projectRoot: path.resolve(__dirname, "..", ".."),
});

/** Runs push-sample-image on argv (without the node and script paths) and returns the exit code. */
export async function runPushSampleImage(argv: string[], overrides: Partial<PushDeps> = {}): Promise<number> {
  const deps = { ...defaultDeps(), ...overrides };
  let options: PushOptions | "help";
  try {
    options = parsePushArgs(argv, deps.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    deps.stderr(`push-sample-image: ${error.message}`);
    deps.stderr(USAGE);
    return EXIT_USAGE;
  }
  if (options === "help") {
    deps.stdout(USAGE);
    return EXIT_OK;
  }
  try {
    await push(options, deps);
    return EXIT_OK;
  } catch (error) {
    deps.stderr((error as Error).message);
    return EXIT_ERROR;
  }
}

/** An error whose message says what was being done, to what, and why. */
function failure(action: string, reason: unknown): Error {
  if (!(reason instanceof Error)) return new Error(`${action}: ${String(reason)}`);
  const requestId = (reason as { $metadata?: { requestId?: string } }).$metadata?.requestId;
  const name = reason.name === "Error" ? "" : `${reason.name}: `;
  let message = `${action}: ${name}${reason.message}${requestId ? ` (request id ${requestId})` : ""}`;
  if (reason.name.startsWith("AccessDenied")) {
    message += `\nAccess denied: pushing needs the IAM actions ${PUSH_ACTIONS.join(", ")}.`;
  }
  return new Error(message, { cause: reason });
}

async function push({ repository, tag, region }: PushOptions, deps: PushDeps): Promise<void> {
  const { docker } = deps;
  // docker first: without it nothing below can work, so ask AWS for nothing
  try {
    await checkDocker(docker);
  } catch (error) {
    throw failure("checking docker", error);
  }

  let login: RegistryLogin;
  try {
    login = await getRegistryLogin(deps.createClient(region));
  } catch (error) {
    throw failure(`getting an ECR authorization token (${region})`, error);
  }
  const image = `${login.registryHost}/${repository}:${tag}`;

  deps.stdout(`Logging in to ${login.registryHost}`);
  const loggedIn = await docker(["login", "--username", login.username, "--password-stdin", login.proxyEndpoint], {
    input: login.password,
  });
  if (loggedIn.exitCode !== 0) {
    const reason = `docker login exited with code ${loggedIn.exitCode}: ${loggedIn.stderr.trim()}`;
    throw failure(`logging in to ${login.registryHost} with docker`, new Error(reason));
  }

  const dockerfile = path.join(deps.projectRoot, "Dockerfile");
  deps.stdout(`Building ${image} from ${dockerfile}`);
  const built = await docker(["build", "--tag", image, deps.projectRoot], { stream: true });
  if (built.exitCode !== 0) {
    const reason = `docker build exited with code ${built.exitCode} (its output is above)`;
    throw failure(`building ${image} from ${dockerfile}`, new Error(reason));
  }

  deps.stdout(`Pushing ${image}`);
  const pushed = await docker(["push", image], { stream: true });
  if (pushed.exitCode !== 0) {
    throw failure(
      `pushing ${image}`,
      new Error(
        `docker push exited with code ${pushed.exitCode} (its output is above). ` +
          `Check that repository "${repository}" exists in ${region}.`,
      ),
    );
  }
  deps.stdout(`Pushed ${image}`);
  deps.stdout(`Scan report: npm run scan-report -- --repository ${repository} --tag ${tag} --region ${region}`);
}

if (require.main === module) {
  quietSdkNodeVersionWarning();
  void runPushSampleImage(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
