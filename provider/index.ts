/** Public API of the registry scanning rule: the resource, its arguments and its provider. */
export { RegistryScanningRule, type RegistryScanningRuleArgs } from "./resource";
export { registryScanningRuleProvider } from "./provider";
export { filterMatches, isSubstringFilter } from "./filterMatching";
export type { ScanFrequency, ScanType } from "./model";
