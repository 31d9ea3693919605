/**
 * The one error grammar of the provider:
 *   <action> ECR registry scanning rule (<region>[/<registry id>]): <cause>
 * The cause is the SDK exception's name and message with its request id, or a planning
 * problem in plain words. Errors are recognised by name, never by message text.
 */
import { isPlanError } from "./plan";

/** IAM actions the provider itself needs; the README and iam/deployer-policy.json list the same. */
export const REQUIRED_IAM_ACTIONS = ["ecr:GetRegistryScanningConfiguration", "ecr:PutRegistryScanningConfiguration"];

export interface ErrorTarget {
  region: string;
  registryId?: string;
}

function describeCause(cause: unknown): string {
  if (isPlanError(cause)) return cause.message;
  if (!(cause instanceof Error)) return String(cause);
  const requestId = (cause as { $metadata?: { requestId?: string } }).$metadata?.requestId;
  let text = `${cause.name}: ${cause.message}${requestId ? ` (request id ${requestId})` : ""}`;
  if (cause.name === "AccessDeniedException" || cause.name === "AccessDenied") {
    text += `; the deployer needs the IAM actions ${REQUIRED_IAM_ACTIONS.join(" and ")} on resource "*" (see iam/deployer-policy.json)`;
  } else if (cause.name === "BlockedByOrganizationPolicyException") {
    text += "; an AWS Organizations policy blocks changes to this registry's scanning configuration, so ask the organization's administrators";
  }
  return text;
}

/** Wraps a failure so it says what was being done, where, and why; the original stays as `cause`. */
export function describeFailure(action: string, target: ErrorTarget, cause: unknown): Error {
  const where = target.registryId ? `${target.region}/${target.registryId}` : target.region;
  return new Error(`${action} ECR registry scanning rule (${where}): ${describeCause(cause)}`, { cause });
}
