/**
 * Running the docker CLI. The runner is a plain function so tests pass a fake and need no docker.
 */
import { spawn } from "node:child_process";

export interface DockerResult {
  exitCode: number;
  /** Captured output; empty when streamed. */
  stdout: string;
  stderr: string;
}

export interface DockerRunOptions {
  /** Written to docker's stdin (the registry password), never put on the command line. */
  input?: string;
  /** Show docker's output on the terminal as it comes (build, push) instead of capturing it. */
  stream?: boolean;
}

/** Runs `docker <args>`; rejects only when docker cannot be started at all (e.g. ENOENT). */
export type DockerRunner = (args: string[], options?: DockerRunOptions) => Promise<DockerResult>;

export const runDocker: DockerRunner = (args, options = {}) =>
  new Promise((resolve, reject) => {
    const output = options.stream ? "inherit" : "pipe";
    const child = spawn("docker", args, { stdio: [options.input === undefined ? "ignore" : "pipe", output, output] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => (stdout += String(chunk)));
    child.stderr?.on("data", (chunk) => (stderr += String(chunk)));
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? 1, stdout, stderr }));
    child.stdin?.end(options.input);
  });

/**
 * Fails with a clear message unless docker is installed and its daemon answers. `docker version`
 * prints the client part without a daemon but exits non-zero, which tells the two cases apart.
 */
export async function checkDocker(docker: DockerRunner): Promise<void> {
  let result: DockerResult;
  try {
    result = await docker(["version", "--format", "{{.Server.Version}}"]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    throw new Error("docker is not installed: there is no docker command on PATH. Install Docker, then run this again.");
  }
  if (result.exitCode !== 0) {
    const reason = result.stderr.trim().split("\n")[0] || `docker version exited with code ${result.exitCode}`;
    throw new Error(
      `docker is installed, but its daemon is not running or not reachable (${reason}). ` +
        'Start Docker (Docker Desktop, or "sudo systemctl start docker") and check that your user may use it.',
    );
  }
}
