/**
 * The stack: one ECR repository named by the `prefix` config, scanned on push through a
 * registry-level rule. The registry configuration it produces on a fresh registry is the
 * original stack's: scan type BASIC and one SCAN_ON_PUSH rule whose filter is the repository name.
 */
import * as pulumi from "@pulumi/pulumi";
import { repositoryNameProblem, ScannedRepository } from "./components/scannedRepository";

const config = new pulumi.Config();
const prefix = config.get("prefix") ?? "fa-083";
const prefixProblem = repositoryNameProblem(prefix);
if (prefixProblem) {
  // a clean failure before any resource is registered; the runner maps this prefix to exit code 2
  throw new pulumi.RunError(`invalid configuration: ${config.name}:prefix ${prefixProblem}`);
}

const scanned = new ScannedRepository("scanned", { repositoryName: prefix });

export const repositoryName = scanned.repository.name;
export const repositoryUrl = scanned.repository.repositoryUrl;
export const repositoryArn = scanned.repository.arn;
export const registryId = scanned.scanningRule.registryId;
export const scanType = scanned.scanningRule.scanType;
export const scanFrequency = scanned.scanningRule.scanFrequency;
export const repositoryFilters = scanned.scanningRule.repositoryFilters;
export const ownedFilters = scanned.scanningRule.ownedFilters;
export const adoptedFilters = scanned.scanningRule.adoptedFilters;
