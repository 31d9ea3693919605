/**
 * RegistryScanningRule: one account-and-Region registry scanning rule's worth of filters, owned
 * by this resource and merged into the shared registry configuration by the dynamic provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { isSubstringFilter } from "./filterMatching";
import type { ScanFrequency, ScanType } from "./model";
import { registryScanningRuleProvider } from "./provider";

export interface RegistryScanningRuleArgs {
  /**
   * The filters this resource wants in the registry (1..100 after de-duplication). Plain
   * strings; their filter type is always WILDCARD. A filter without `*` matches every
   * repository whose name contains it; with `*` it must match the whole name.
   */
  repositoryFilters: pulumi.Input<pulumi.Input<string>[]>;
  /** SCAN_ON_PUSH (default) or CONTINUOUS_SCAN (ENHANCED only). */
  scanFrequency?: pulumi.Input<ScanFrequency>;
  /** The registry scan type this rule needs: BASIC (default) or ENHANCED. */
  scanType?: pulumi.Input<ScanType>;
  /** Whether this resource may switch the registry's scan type while other rules exist. Default false. */
  allowScanTypeChange?: pulumi.Input<boolean>;
  /** The Region of the registry; defaults to the stack's aws:region, then AWS_REGION / AWS_DEFAULT_REGION. */
  region?: pulumi.Input<string>;
}

export class RegistryScanningRule extends pulumi.dynamic.Resource {
  /** The filters this resource wants, de-duplicated and sorted. */
  declare readonly repositoryFilters: pulumi.Output<string[]>;
  declare readonly scanFrequency: pulumi.Output<ScanFrequency>;
  declare readonly scanType: pulumi.Output<ScanType>;
  declare readonly allowScanTypeChange: pulumi.Output<boolean>;
  /** The Region the rule was applied in. */
  declare readonly region: pulumi.Output<string>;
  /** The registry (account) id. */
  declare readonly registryId: pulumi.Output<string>;
  /** Filters this resource added; delete removes exactly these. */
  declare readonly ownedFilters: pulumi.Output<string[]>;
  /** Filters that were already in the registry when this resource was created; never removed by it. */
  declare readonly adoptedFilters: pulumi.Output<string[]>;
  /** The registry scan type before this resource changed it; undefined when it never did. */
  declare readonly previousScanType: pulumi.Output<ScanType | undefined>;

  constructor(name: string, args: RegistryScanningRuleArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      registryScanningRuleProvider,
      name,
      {
        ...args,
        // provider-computed outputs must be named here, or they never reach the resource
        region: args.region,
        registryId: undefined,
        ownedFilters: undefined,
        adoptedFilters: undefined,
        previousScanType: undefined,
      },
      opts,
      "ecr",
      "RegistryScanningRule",
    );
    pulumi.output(args.repositoryFilters).apply((filters) => {
      for (const filter of filters ?? []) {
        if (typeof filter === "string" && isSubstringFilter(filter)) {
          pulumi.log.warn(
            `filter "${filter}" has no "*": ECR matches it against every repository whose name contains it ` +
              `(for example "${filter}-other" or "team/${filter}"), not only "${filter}"`,
            this,
          );
        }
      }
    });
  }
}
