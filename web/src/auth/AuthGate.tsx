import { useQueryClient } from "@tanstack/react-query";
import { LogIn, RefreshCw } from "lucide-react";
import { useEffect, useRef, type ReactNode } from "react";
import { AuthProvider, useAuth } from "react-oidc-context";

import { configureApi } from "@/api/client";
import { useConfig } from "@/app/ConfigContext";
import { Splash } from "@/components/Splash";

import { oidcSettings, type SigninState } from "./oidc";

function returnTo(): string {
  const { pathname, search, hash } = window.location;
  return `${pathname}${search}${hash}`;
}

/** Signs the user in (one path for every mode: the local issuer is an OIDC provider too) and configures the API
 * client with the access token. Children render only for a signed-in user. */
export function AuthGate({ children, navigate }: { children: ReactNode; navigate: (to: string) => void }) {
  const config = useConfig();
  const settings = oidcSettings(config);
  const onCallbackPage = window.location.pathname === config.auth.redirectPath;
  return (
    <AuthProvider
      {...settings}
      skipSigninCallback={!onCallbackPage}
      onSigninCallback={(user) => {
        const state = user?.state as SigninState | undefined;
        const target = state?.returnTo && state.returnTo.startsWith("/") ? state.returnTo : "/";
        navigate(target);
      }}
    >
      <Gate>{children}</Gate>
    </AuthProvider>
  );
}

function Gate({ children }: { children: ReactNode }) {
  const auth = useAuth();
  const config = useConfig();
  const queryClient = useQueryClient();
  const tokenRef = useRef<string | undefined>(undefined);
  tokenRef.current = auth.user?.access_token;
  const renewing = useRef(false);

  useEffect(() => {
    configureApi({
      baseUrl: config.apiUrl,
      token: () => tokenRef.current,
      onUnauthorized: () => {
        if (renewing.current) return;
        renewing.current = true;
        // An expired or revoked token: try a silent renew once, else show the signed-out state.
        auth
          .signinSilent()
          .catch(() => auth.removeUser())
          .finally(() => {
            renewing.current = false;
            void queryClient.invalidateQueries();
          });
      },
    });
    // configureApi once per config; the token is read through the ref
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [config.apiUrl]);

  if (auth.isLoading || auth.activeNavigator === "signinRedirect") return <Splash label="Signing in…" />;
  if (auth.error && !auth.isAuthenticated) {
    return (
      <SignedOut
        problem={auth.error.message}
        onSignIn={() => void auth.signinRedirect({ state: { returnTo: "/" } satisfies SigninState })}
      />
    );
  }
  if (!auth.isAuthenticated || !auth.user) {
    return <SignedOut onSignIn={() => void auth.signinRedirect({ state: { returnTo: returnTo() } })} />;
  }
  return <>{children}</>;
}

function SignedOut({ onSignIn, problem }: { onSignIn: () => void; problem?: string }) {
  return (
    <main className="flex min-h-full items-center justify-center bg-zinc-50 p-6 dark:bg-zinc-950">
      <div className="w-full max-w-sm rounded-2xl border border-zinc-200 bg-white p-8 text-center shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <h1 className="text-xl font-semibold text-zinc-900 dark:text-zinc-50">PrivateGPT</h1>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
          {problem ? "Signing in did not complete." : "You are signed out."}
        </p>
        {problem && (
          <p role="alert" className="mt-3 rounded-md bg-red-50 p-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
            {problem}
          </p>
        )}
        <button
          type="button"
          onClick={onSignIn}
          autoFocus
          className="mt-6 inline-flex w-full items-center justify-center gap-2 rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-medium text-white hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          {problem ? <RefreshCw aria-hidden className="size-4" /> : <LogIn aria-hidden className="size-4" />}
          Sign in
        </button>
      </div>
    </main>
  );
}
