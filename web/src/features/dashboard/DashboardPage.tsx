import { useMe } from "@/api/queries";
import { errorMessage } from "@/api/errors";

import { ApiTester } from "./ApiTester";
import { DebugSection } from "./DebugSection";
import { HealthSection } from "./HealthSection";
import { ModelsSection } from "./ModelsSection";
import { RecentReplies } from "./RecentReplies";
import { RequestsSection } from "./RequestsSection";

/** `/dev`: the developer dashboard, for users whose `/api/me` says `dashboard` (admins; everyone locally). */
export function DashboardPage() {
  const me = useMe();
  return (
    <div className="mx-auto flex h-full max-w-6xl flex-col gap-4 overflow-y-auto p-4 sm:p-6">
      <h1 className="text-xl font-semibold">Developer dashboard</h1>
      {me.isPending ? (
        <p className="text-sm text-zinc-500">Loading…</p>
      ) : me.isError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">{errorMessage(me.error)}</p>
      ) : !me.data.dashboard ? (
        <p className="text-sm text-zinc-700 dark:text-zinc-300" data-testid="dashboard-forbidden">
          The developer dashboard is for admins. Ask an administrator for the admin role.
        </p>
      ) : (
        <>
          <HealthSection />
          <ModelsSection />
          <DebugSection />
          <RequestsSection />
          <ApiTester />
          <RecentReplies />
        </>
      )}
    </div>
  );
}
