import { BarChart3, FileText, Gauge, LogOut, MessageSquare, Settings } from "lucide-react";
import type { ComponentType, SVGProps } from "react";
import { NavLink, Outlet } from "react-router";
import { useAuth } from "react-oidc-context";

import { useMe } from "@/api/queries";
import { useConfig } from "@/app/ConfigContext";
import { signoutParams } from "@/auth/oidc";
import { cn } from "@/lib/cn";

interface NavItem {
  to: string;
  label: string;
  icon: ComponentType<SVGProps<SVGSVGElement>>;
  end?: boolean;
}

const NAV: NavItem[] = [
  { to: "/", label: "Chat", icon: MessageSquare },
  { to: "/documents", label: "Documents", icon: FileText },
  { to: "/usage", label: "Usage", icon: BarChart3 },
  { to: "/settings", label: "Settings", icon: Settings },
];

/** The frame of every screen: the top bar (navigation, the user, sign-out) and the screen below it. */
export function Shell() {
  const auth = useAuth();
  const config = useConfig();
  const me = useMe();
  const items = me.data?.dashboard ? [...NAV, { to: "/dev", label: "Dashboard", icon: Gauge }] : NAV;
  const name = me.data?.name || me.data?.email || auth.user?.profile.preferred_username || me.data?.subject || "";
  return (
    <div className="flex h-full flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 dark:focus:bg-zinc-900"
      >
        Skip to content
      </a>
      <header className="flex h-12 shrink-0 items-center gap-2 border-b border-zinc-200 px-3 dark:border-zinc-800">
        <span className="mr-2 font-semibold tracking-tight">PrivateGPT</span>
        <nav aria-label="Main" className="flex items-center gap-1 overflow-x-auto">
          {items.map(({ to, label, icon: Icon }) => (
            <NavLink
              key={to}
              to={to}
              end={to === "/"}
              className={({ isActive }) =>
                cn(
                  "inline-flex items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm",
                  isActive || (to === "/" && window.location.pathname.startsWith("/c/"))
                    ? "bg-zinc-100 font-medium text-zinc-900 dark:bg-zinc-800 dark:text-zinc-50"
                    : "text-zinc-600 hover:bg-zinc-50 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-900 dark:hover:text-zinc-100",
                )
              }
            >
              <Icon aria-hidden className="size-4" />
              <span className="hidden sm:inline">{label}</span>
              <span className="sr-only sm:hidden">{label}</span>
            </NavLink>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <span className="hidden max-w-40 truncate text-sm text-zinc-600 sm:inline dark:text-zinc-400" data-testid="user-name">
            {name}
          </span>
          <button
            type="button"
            onClick={() => void auth.signoutRedirect(signoutParams(config))}
            className="inline-flex items-center gap-1.5 rounded-md px-2 py-1.5 text-sm text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800"
          >
            <LogOut aria-hidden className="size-4" />
            <span className="hidden sm:inline">Sign out</span>
            <span className="sr-only sm:hidden">Sign out</span>
          </button>
        </div>
      </header>
      <main id="main" className="min-h-0 flex-1">
        <Outlet />
      </main>
    </div>
  );
}
