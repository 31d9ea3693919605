/**
 * @aws-sdk 3.x warns once per process that its releases after January 2027 need Node 22. The
 * project pins @aws-sdk/client-ecr to a release that supports Node 20, so for our commands the
 * warning is only noise above the real output. A value the user set is left alone.
 */
export const NODE_VERSION_WARNING_SWITCH = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

export function quietSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env[NODE_VERSION_WARNING_SWITCH] ??= "true";
}
