/**
 * Docker credentials for ECR from GetAuthorizationToken, so pushing needs no aws CLI.
 */
import { GetAuthorizationTokenCommand, type ECRClient } from "@aws-sdk/client-ecr";

export interface RegistryLogin {
  /** Always "AWS" for ECR tokens. */
  username: string;
  password: string;
  /** `https://<account>.dkr.ecr.<region>.amazonaws.com`, what `docker login` is given. */
  proxyEndpoint: string;
  /** The registry host that image references start with. */
  registryHost: string;
}

/** Splits a base64 `user:password` token. */
export function decodeAuthorizationToken(token: string): { username: string; password: string } {
  const decoded = Buffer.from(token, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) throw new Error("the authorization token is not base64 of user:password");
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Asks ECR for a registry login of the caller's own registry in the client's Region. */
export async function getRegistryLogin(client: ECRClient): Promise<RegistryLogin> {
  const response = await client.send(new GetAuthorizationTokenCommand({}));
  const data = response.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new Error("GetAuthorizationToken returned no authorization token or proxy endpoint");
  }
  return {
    ...decodeAuthorizationToken(data.authorizationToken),
    proxyEndpoint: data.proxyEndpoint,
    registryHost: new URL(data.proxyEndpoint).host,
  };
}
