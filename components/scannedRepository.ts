/**
 * ScannedRepository: an ECR repository plus the registry scanning rule that scans it on push.
 *
 * This is what the original CloudFormation stack built (a repository and a custom resource that
 * set scan on push for it), without its hazards: the rule merges our filter into the registry's
 * shared configuration instead of overwriting it, and deleting it removes only our filter.
 * Emptying the repository on destroy is the repository's own job (forceDelete).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RegistryScanningRule, type ScanFrequency, type ScanType } from "../provider";
import { repositoryNameProblem as repositoryNameRule } from "../common/repositoryName";
import { filterProblem } from "../provider/validation";

export interface ScannedRepositoryArgs {
  /** The repository name; it is also the registry scanning filter, as in the original stack. */
  repositoryName: string;
  /** The registry scan type the rule needs. Default BASIC, as in the original. */
  scanType?: ScanType;
  /** Default SCAN_ON_PUSH, as in the original. */
  scanFrequency?: ScanFrequency;
}

/** The problem with a repository name, or undefined when it can name the repository and be its filter. */
export function repositoryNameProblem(name: string): string | undefined {
  // the name is also our scanning filter, so it must satisfy the filter rule too (1..255 characters)
  return repositoryNameRule(name) ?? filterProblem(name);
}

export class ScannedRepository extends pulumi.ComponentResource {
  readonly repository: aws.ecr.Repository;
  readonly scanningRule: RegistryScanningRule;

  constructor(name: string, args: ScannedRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    // fail before anything is registered, the component included, so a bad name never
    // leaves a half-built stack behind
    const problem = repositoryNameProblem(args.repositoryName);
    if (problem) throw new Error(`[repositoryName] ${problem}`);
    super("ecrscan:index:ScannedRepository", name, {}, opts);

    this.repository = new aws.ecr.Repository(
      `${name}-repo`,
      {
        name: args.repositoryName,
        // destroy removes the repository with its images (the original's Lambda emptied it by hand)
        forceDelete: true,
        // no imageScanningConfiguration: the repository-level setting is deprecated; the
        // registry rule below decides scanning
      },
      { parent: this },
    );

    this.scanningRule = new RegistryScanningRule(
      `${name}-scan-rule`,
      {
        // the plain name, known at preview, so a bad value fails the preview
        repositoryFilters: [args.repositoryName],
        scanType: args.scanType ?? "BASIC",
        scanFrequency: args.scanFrequency ?? "SCAN_ON_PUSH",
      },
      { parent: this, dependsOn: [this.repository] },
    );

    this.registerOutputs({});
  }
}
