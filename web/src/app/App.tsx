import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { RouterProvider } from "react-router";

import { ApiError } from "@/api/errors";
import { AuthGate } from "@/auth/AuthGate";
import type { AppConfig } from "@/config";

import { ConfigContext } from "./ConfigContext";
import { router } from "./routes";

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // 4xx are answers, not outages: retry only what may pass on a second try.
        retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
        refetchOnWindowFocus: false,
      },
    },
  });
}

export function App({ config }: { config: AppConfig }) {
  const [queryClient] = useState(makeQueryClient);
  return (
    <ConfigContext.Provider value={config}>
      <QueryClientProvider client={queryClient}>
        <AuthGate navigate={(to) => void router.navigate(to, { replace: true })}>
          <RouterProvider router={router} />
        </AuthGate>
      </QueryClientProvider>
    </ConfigContext.Provider>
  );
}
