/**
 * A stand-in for the `pulumi-resource-aws` plugin, for tests only: the real plugin cannot be
 * downloaded here, and the end-to-end tier must not reach AWS. It implements the engine's provider
 * protocol for `aws:ecr/repository:Repository` (see resourceProvider.ts) against the ECR emulator.
 *
 * How the engine finds it: the stand-in listens on a loopback port, and the Pulumi CLI is started
 * with `PULUMI_DEBUG_PROVIDERS=aws:<port>`. For every `aws` provider (the default one included, of
 * any version) the engine then dials that port instead of launching a plugin binary
 * (sdk/go/common/resource/plugin/provider_plugin.go, NewProvider/GetProviderAttachPort), so no
 * plugin has to be installed. Pair it with `PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true` and a
 * test-only `PULUMI_HOME`: the engine's best-effort pre-install step then only logs the missing
 * plugin instead of downloading it.
 *
 * One stand-in can serve several engines at once (two stacks brought up together), but the region
 * from the provider config is kept per stand-in, not per engine: stacks sharing a stand-in must use
 * the same `aws:region` or set `region` on the resource.
 *
 * Never used outside tests.
 */
import type * as grpcTypes from "@grpc/grpc-js";
import { grpc, providerGrpc } from "./protocol";
import { AWS_PLUGIN_VERSION, createResourceProvider } from "./resourceProvider";
import type { Env } from "./ecrRepositories";

export { AWS_PLUGIN_VERSION };

export interface AwsStandInOptions {
  /** Environment for the ECR client (e.g. emulatorEnv(emulator, region)); defaults to process.env. */
  env?: Env;
  /** Loopback port to listen on; 0 (the default) picks a free one. */
  port?: number;
}

export interface StandInCall {
  method: string;
  detail?: string;
}

export interface AwsStandIn {
  readonly port: number;
  /** `{ PULUMI_DEBUG_PROVIDERS: "aws:<port>" }`, to merge into the CLI's environment. */
  readonly debugProvidersEnv: { PULUMI_DEBUG_PROVIDERS: string };
  /** gRPC calls received since start or the last clearCalls(), oldest first. */
  calls(): StandInCall[];
  clearCalls(): void;
  /** Makes every real Create wait this long first (0: no wait), to keep an operation in flight. */
  setCreateDelay(ms: number): void;
  stop(): Promise<void>;
}

export async function startAwsStandIn(options: AwsStandInOptions = {}): Promise<AwsStandIn> {
  const log: StandInCall[] = [];
  let createDelayMs = 0;
  const server: grpcTypes.Server = new grpc.Server({
    "grpc.max_receive_message_length": 1024 * 1024 * 400,
    "grpc.max_send_message_length": 1024 * 1024 * 400,
  });
  const implementation = createResourceProvider({
    env: options.env ?? process.env,
    onCall: (method, detail) => log.push({ method, detail }),
    beforeCreate: () => new Promise((resolve) => setTimeout(resolve, createDelayMs)),
  });
  server.addService(providerGrpc.ResourceProviderService, implementation as unknown as grpcTypes.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    port,
    debugProvidersEnv: { PULUMI_DEBUG_PROVIDERS: `aws:${port}` },
    calls: () => [...log],
    clearCalls: () => {
      log.length = 0;
    },
    setCreateDelay: (ms: number) => {
      createDelayMs = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
