/**
 * Runs the AWS stand-in as its own process, for manual debugging of the end-to-end tier:
 *
 *   AWS_ENDPOINT_URL_ECR=http://127.0.0.1:<emulator> AWS_REGION=us-east-1 \
 *     npx ts-node --transpile-only test/support/awsRepositoryStandIn/main.ts
 *
 * prints the port on stdout (the plugin protocol's first line), then serves until SIGINT/SIGTERM.
 * Attach it with PULUMI_DEBUG_PROVIDERS=aws:<port>. Tests use startAwsStandIn() in-process instead.
 */
import { startAwsStandIn } from "./index";

async function main(): Promise<void> {
  const standIn = await startAwsStandIn({ env: process.env, port: Number(process.env.AWS_STAND_IN_PORT ?? 0) });
  process.stdout.write(`${standIn.port}\n`);
  const stop = () => void standIn.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err) => {
  process.stderr.write(`aws stand-in: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
