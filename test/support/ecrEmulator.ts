/**
 * The ECR emulator for the wire, host and end-to-end tiers: moto in server mode, behind a small
 * counting proxy.
 *
 * moto runs from the project's .venv (installed by scripts/setup-moto.sh) on a free loopback port,
 * unless ECR_EMULATOR_URL names an emulator that is already running. Every request goes through
 * the proxy, which records the ECR operation (X-Amz-Target) and the signing Region, so tests can
 * assert request counts per operation whichever process made the call: the test itself, the
 * dynamic-provider host, or the Pulumi engine's plugins.
 *
 * This stands in for AWS in tests only; the product never imports it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";

export interface RecordedRequest {
  /** ECR operation name, e.g. "PutRegistryScanningConfiguration"; "" for non-ECR calls. */
  operation: string;
  /** Region from the SigV4 credential scope; "" when unsigned. */
  region: string;
}

export interface EcrEmulator {
  /** Base URL to use as AWS_ENDPOINT_URL_ECR (points at the counting proxy). */
  readonly url: string;
  /** Base URL of moto itself, for moto's own control API. */
  readonly motoUrl: string;
  /** Wipes all emulator state (every Region) and the request log. */
  reset(): Promise<void>;
  /** Requests seen since the last reset or clearRequests(), oldest first. */
  requests(): RecordedRequest[];
  /** Number of requests for one operation (or all ECR operations) since the last clear. */
  count(operation?: string): number;
  /** Per-operation counts since the last clear. */
  counts(): Record<string, number>;
  clearRequests(): void;
  /**
   * Answers the next `times` requests for `operation` with an AWS JSON error instead of
   * forwarding them, e.g. a ThrottlingException to exercise the SDK's retries.
   */
  injectError(operation: string, times: number, error: InjectedError): void;
  stop(): Promise<void>;
}

export interface InjectedError {
  status: number;
  type: string;
  message: string;
}

interface PendingFault extends InjectedError {
  operation: string;
  remaining: number;
}

const projectRoot = path.resolve(__dirname, "..", "..");
const motoServer = path.join(projectRoot, ".venv", "bin", "moto_server");

/** Environment for anything that should talk to the emulator with static test credentials. */
export function emulatorEnv(emulator: EcrEmulator, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_ECR: emulator.url,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: region,
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

async function waitUntilAnswering(url: string, describe: () => string): Promise<void> {
  // polling with a bound on attempts, not on wall-clock assertions: moto needs a second or two
  for (let attempt = 0; attempt < 150; attempt++) {
    try {
      const response = await fetch(`${url}/moto-api/`);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the ECR emulator at ${url} did not answer: ${describe()}`);
}

function startMoto(port: number): { child: ChildProcess; output: string[] } {
  if (!fs.existsSync(motoServer)) {
    throw new Error(
      `moto_server not found at ${motoServer}; run "bash scripts/setup-moto.sh" (npm test does this), ` +
        "or set ECR_EMULATOR_URL to an emulator that is already running",
    );
  }
  const output: string[] = [];
  const child = spawn(motoServer, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MOTO_ACCOUNT_ID: process.env.MOTO_ACCOUNT_ID ?? "123456789012" },
  });
  const keep = (chunk: Buffer) => {
    output.push(String(chunk));
    if (output.length > 200) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, output };
}

function operationOf(headers: http.IncomingHttpHeaders): RecordedRequest {
  const target = String(headers["x-amz-target"] ?? "");
  const operation = target.startsWith("AmazonEC2ContainerRegistry_V20150921.")
    ? target.slice("AmazonEC2ContainerRegistry_V20150921.".length)
    : "";
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(headers.authorization ?? ""));
  return { operation, region: scope?.[1] ?? "" };
}

function startProxy(targetUrl: string, log: RecordedRequest[], faults: PendingFault[]): Promise<http.Server> {
  const target = new URL(targetUrl);
  const server = http.createServer((req, res) => {
    const record = operationOf(req.headers);
    if (record.operation) log.push(record);
    const fault = faults.find((f) => f.operation === record.operation && f.remaining > 0);
    if (fault) {
      fault.remaining--;
      req.resume();
      res.writeHead(fault.status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "injected-fault" });
      res.end(JSON.stringify({ __type: fault.type, message: fault.message }));
      return;
    }
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`ECR emulator proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

export async function startEcrEmulator(): Promise<EcrEmulator> {
  let motoUrl = process.env.ECR_EMULATOR_URL?.replace(/\/+$/, "");
  let moto: { child: ChildProcess; output: string[] } | undefined;
  if (!motoUrl) {
    const port = await freePort();
    moto = startMoto(port);
    motoUrl = `http://127.0.0.1:${port}`;
    const started = moto;
    let exited: string | undefined;
    started.child.on("exit", (code, signal) => (exited = `moto_server exited (${code ?? signal})`));
    await waitUntilAnswering(motoUrl, () =>
      [exited ?? "no answer after 15 s", ...started.output].join("\n").slice(-2000),
    );
  } else {
    await waitUntilAnswering(motoUrl, () => "ECR_EMULATOR_URL is set but nothing answers there");
  }
  const log: RecordedRequest[] = [];
  const faults: PendingFault[] = [];
  const proxy = await startProxy(motoUrl, log, faults);
  const url = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  const base = motoUrl;

  const counts = () => {
    const result: Record<string, number> = {};
    for (const r of log) result[r.operation] = (result[r.operation] ?? 0) + 1;
    return result;
  };
  return {
    url,
    motoUrl: base,
    async reset() {
      const response = await fetch(`${base}/moto-api/reset`, { method: "POST" });
      if (!response.ok) throw new Error(`resetting the ECR emulator failed: HTTP ${response.status}`);
      log.length = 0;
      faults.length = 0;
    },
    requests: () => [...log],
    count: (operation?: string) => (operation ? log.filter((r) => r.operation === operation).length : log.length),
    counts,
    clearRequests: () => {
      log.length = 0;
    },
    injectError: (operation, times, error) => {
      faults.push({ ...error, operation, remaining: times });
    },
    async stop() {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      proxy.closeAllConnections();
      if (moto && moto.child.exitCode === null) {
        const child = moto.child;
        await new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        });
      }
    },
  };
}
