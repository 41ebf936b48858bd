import { WebStorageStateStore, type UserManagerSettings } from "oidc-client-ts";

import type { AppConfig } from "@/config";

/** What a sign-in remembers: the page to come back to. */
export interface SigninState {
  returnTo: string;
}

/** oidc-client-ts settings for the configured issuer: authorization code + PKCE (its default), refresh tokens for
 * silent renew, Cognito's missing `end_session_endpoint` seeded from config.json. */
export function oidcSettings(config: AppConfig, origin = window.location.origin): UserManagerSettings {
  const { auth } = config;
  const home = `${origin}/`;
  return {
    authority: auth.authority,
    client_id: auth.clientId,
    redirect_uri: `${origin}${auth.redirectPath}`,
    post_logout_redirect_uri: home,
    response_type: "code",
    scope: auth.scopes.join(" "),
    automaticSilentRenew: true,
    // Session storage: a token lives as long as its tab; other tabs sign in again (silently where the issuer
    // keeps a session).
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    ...(auth.metadata ? { metadataSeed: auth.metadata } : {}),
  };
}

/** Cognito's /logout wants `logout_uri` (and client_id, which the library sends) instead of the OIDC parameter. */
export function signoutParams(config: AppConfig, origin = window.location.origin) {
  return config.auth.mode === "cognito" ? { extraQueryParams: { logout_uri: `${origin}/` } } : {};
}
