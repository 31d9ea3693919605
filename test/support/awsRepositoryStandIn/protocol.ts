/**
 * The gRPC and protobuf modules the stand-in speaks the engine's provider protocol with.
 *
 * They are loaded from @pulumi/pulumi's own directory, so the message classes are the very ones the
 * generated service definitions (`@pulumi/pulumi/proto/*_grpc_pb`) serialize; a second copy of
 * google-protobuf would produce look-alike classes that fail `instanceof` checks.
 */
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as providerPbTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as providerGrpcTypes from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as pluginPbTypes from "@pulumi/pulumi/proto/plugin_pb";

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = (id: string) => require(require.resolve(id, { paths: [pulumiDir] }));

export const grpc: typeof grpcTypes = fromPulumi("@grpc/grpc-js");
export const providerPb: typeof providerPbTypes = require("@pulumi/pulumi/proto/provider_pb");
export const providerGrpc: typeof providerGrpcTypes = require("@pulumi/pulumi/proto/provider_grpc_pb");
export const pluginPb: typeof pluginPbTypes = require("@pulumi/pulumi/proto/plugin_pb");

interface StructMessage {
  toJavaScript(): Record<string, unknown>;
}
interface StructClass {
  fromJavaScript(value: Record<string, unknown>): unknown;
}
const structPb: { Struct: StructClass } = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const emptyPb: { Empty: new () => unknown } = fromPulumi("google-protobuf/google/protobuf/empty_pb");

/** The engine's marker for a value not known until apply (sdk/go/common/resource/plugin/rpc.go). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type PropertyMap = Record<string, unknown>;

export function fromStruct(struct: StructMessage | undefined): PropertyMap {
  return struct ? struct.toJavaScript() : {};
}

/** Drops undefined members (Struct.fromJavaScript rejects them) and builds a protobuf Struct. */
export function toStruct(value: PropertyMap): any {
  return structPb.Struct.fromJavaScript(JSON.parse(JSON.stringify(value)) as PropertyMap);
}

export function empty(): any {
  return new emptyPb.Empty();
}

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}
