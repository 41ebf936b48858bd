import { createBrowserRouter } from "react-router";

import { Splash } from "@/components/Splash";
import { ChatPage } from "@/features/chat/ChatPage";

import { NotFound } from "./NotFound";
import { RouteError } from "./RouteError";
import { Shell } from "./Shell";

/** The chat is the first screen and ships in the initial bundle; the other screens load when opened. */
export const router = createBrowserRouter([
  {
    element: <Shell />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <ChatPage /> },
      { path: "c/:conversationId", element: <ChatPage /> },
      { path: "auth/callback", element: <Splash label="Signing in…" /> },
      {
        path: "documents",
        lazy: async () => ({ Component: (await import("@/features/documents/DocumentsPage")).DocumentsPage }),
      },
      { path: "usage", lazy: async () => ({ Component: (await import("@/features/usage/UsagePage")).UsagePage }) },
      {
        path: "dev",
        lazy: async () => ({ Component: (await import("@/features/dashboard/DashboardPage")).DashboardPage }),
      },
      {
        path: "settings",
        lazy: async () => ({ Component: (await import("@/features/settings/SettingsPage")).SettingsPage }),
      },
      { path: "*", element: <NotFound /> },
    ],
  },
]);
