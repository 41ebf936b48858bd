/** The runtime configuration: `/config.json`, written at deploy time (infra/constructs/runtime_config.py) or
 * served by `privategpt dev`. One build serves every deployment. */

export type AuthMode = "local" | "cognito" | "keycloak";

export interface AuthConfig {
  mode: AuthMode;
  /** The `iss` of the tokens. */
  issuer: string;
  /** Where the OIDC client discovers the provider (`<authority>/.well-known/openid-configuration`). */
  authority: string;
  clientId: string;
  scopes: string[];
  /** Path of the sign-in callback on this site, e.g. `/auth/callback`. */
  redirectPath: string;
  /** OIDC metadata the provider does not publish (Cognito's `end_session_endpoint`), merged over discovery. */
  metadata?: Record<string, string>;
}

export interface AppConfig {
  /** The API's base URL; "" is this site's own origin. */
  apiUrl: string;
  streamUrl: string | null;
  mcpUrl: string | null;
  auth: AuthConfig;
  stage: string;
}

export class ConfigError extends Error {}

const MODES: readonly AuthMode[] = ["local", "cognito", "keycloak"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(source: Record<string, unknown>, key: string, where: string): string {
  const value = source[key];
  if (typeof value !== "string") throw new ConfigError(`${where}.${key} must be a string`);
  return value;
}

function optionalText(source: Record<string, unknown>, key: string, where: string): string | null {
  return source[key] === undefined || source[key] === null ? null : text(source, key, where);
}

/** Checks the shape, so a broken deployment says what is wrong instead of failing somewhere later. */
export function parseConfig(raw: unknown): AppConfig {
  if (!isRecord(raw)) throw new ConfigError("config.json must hold a JSON object");
  const auth = raw.auth;
  if (!isRecord(auth)) throw new ConfigError("config.json has no auth section");
  const mode = text(auth, "mode", "auth");
  if (!MODES.includes(mode as AuthMode)) throw new ConfigError(`auth.mode must be one of ${MODES.join(", ")}`);
  const scopes = auth.scopes;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === "string")) {
    throw new ConfigError("auth.scopes must be a list of strings");
  }
  const metadata = auth.metadata;
  if (metadata !== undefined && !(isRecord(metadata) && Object.values(metadata).every((v) => typeof v === "string"))) {
    throw new ConfigError("auth.metadata must map names to strings");
  }
  return {
    apiUrl: text(raw, "apiUrl", "config").replace(/\/+$/, ""),
    streamUrl: optionalText(raw, "streamUrl", "config"),
    mcpUrl: optionalText(raw, "mcpUrl", "config"),
    stage: optionalText(raw, "stage", "config") ?? "",
    auth: {
      mode: mode as AuthMode,
      issuer: text(auth, "issuer", "auth"),
      authority: text(auth, "authority", "auth").replace(/\/+$/, ""),
      clientId: text(auth, "clientId", "auth"),
      scopes: scopes as string[],
      redirectPath: optionalText(auth, "redirectPath", "auth") ?? "/auth/callback",
      ...(metadata ? { metadata: metadata as Record<string, string> } : {}),
    },
  };
}

export async function loadConfig(url = "/config.json"): Promise<AppConfig> {
  let response: Response;
  try {
    response = await fetch(url, { cache: "no-store" });
  } catch (error) {
    throw new ConfigError(`could not load ${url}: ${String(error)}`);
  }
  if (!response.ok) throw new ConfigError(`could not load ${url}: HTTP ${response.status}`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ConfigError(`${url} is not JSON`);
  }
  return parseConfig(body);
}
