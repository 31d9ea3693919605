/**
 * The words of scan-report: how a failed call is described, and what each state that is not a
 * result means for the person reading the terminal. No I/O.
 */

/** IAM actions scan-report calls; named whenever access is denied. */
export const REQUIRED_ACTIONS = [
  "ecr:DescribeImageScanFindings",
  "ecr:DescribeImages",
  "ecr:GetRegistryScanningConfiguration",
];

/** The exception name the SDK gives an error (ECR's `__type`), or the JavaScript error name. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "Error";
}

/** `<action>: <ErrorName>: <message> (request id …)`, the one error grammar of the tool. */
export function describeFailure(action: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const requestId = (error as { $metadata?: { requestId?: string } } | undefined)?.$metadata?.requestId;
  return `${action}: ${errorName(error)}: ${message}${requestId ? ` (request id ${requestId})` : ""}`;
}

/**
 * What to do about a failed call, when there is something useful to say: missing repository or
 * image, or missing permissions. Recognised by exception name, never by message text.
 */
export function adviceFor(error: unknown, repository: string, imageRef: string, region: string): string | undefined {
  const name = errorName(error);
  if (name === "RepositoryNotFoundException") {
    return (
      `Repository not found: there is no repository "${repository}" in this account's registry in ${region}. ` +
      "Check the name and the Region (--region, AWS_REGION)."
    );
  }
  if (name === "ImageNotFoundException") {
    return (
      `Image not found: repository "${repository}" in ${region} has no image ${imageRef}. ` +
      "Check the tag or digest, or push the image first (npm run push-sample-image)."
    );
  }
  if (name.startsWith("AccessDenied")) {
    return `Access denied: scan-report needs the IAM actions ${REQUIRED_ACTIONS.join(", ")}.`;
  }
  return undefined;
}

// what each status that is not a result means; the service's own description is printed as well
const STATUS_EXPLANATIONS: Record<string, string> = {
  SCAN_ELIGIBILITY_EXPIRED:
    "Amazon Inspector no longer scans this image: its enhanced-scanning duration (the ECR re-scan " +
    "duration set in Amazon Inspector, counted from the push or the last pull) has run out, so there " +
    "are no current findings. Push or pull the image again, or lengthen the re-scan duration.",
  UNSUPPORTED_IMAGE:
    "The scanner does not support this image: its operating system, package manager or media type " +
    "is not one the scan type covers. Scanning it again will not help; use a supported base image.",
  LIMIT_EXCEEDED:
    "A scanning limit was reached, so the image was not scanned: basic scanning allows one scan per " +
    "image every 24 hours (a scan on push counts) and 100,000 scans per account and Region every " +
    "24 hours. Try again after the limit resets.",
  FINDINGS_UNAVAILABLE:
    "ECR has no findings to return for this image: the scanner's results are not available (with " +
    "enhanced scanning, Amazon Inspector may have closed them). Try again later, or look the image " +
    "up in Amazon Inspector.",
  FAILED:
    "The scan failed. The description above gives ECR's reason. Fix the image if needed and start a " +
    "new scan; basic scanning allows one scan per image every 24 hours.",
  IMAGE_ARCHIVED: "The image is archived, and archived images are not scanned. Restore the image to scan it.",
};

/** Explanation of a scan status that ends the wait without findings. */
export function explainStatus(status: string): string {
  return (
    STATUS_EXPLANATIONS[status] ??
    `ECR reported the scan status ${status}, which scan-report does not know; it is not treated as a result.`
  );
}
