export function Splash({ label }: { label: string }) {
  return (
    <div className="flex min-h-full items-center justify-center bg-zinc-50 dark:bg-zinc-950" role="status">
      <span className="animate-pulse text-sm text-zinc-500 dark:text-zinc-400">{label}</span>
    </div>
  );
}
