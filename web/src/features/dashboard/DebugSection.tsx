import { debugToggles, type DebugToggles } from "@/lib/debug";
import { useStore } from "@/lib/store";

import { Section } from "./ui";

const TOGGLES: { key: keyof DebugToggles; label: string }[] = [
  { key: "rawEvents", label: "Show raw stream events" },
  { key: "timings", label: "Show timings on every message" },
];

/** The chat's debug toggles (kept in localStorage by `debugToggles`). */
export function DebugSection() {
  const toggles = useStore(debugToggles);
  return (
    <Section title="Debug">
      <div className="flex flex-col gap-2">
        {TOGGLES.map(({ key, label }) => (
          <label key={key} className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={toggles[key]}
              onChange={(event) => debugToggles.set((current) => ({ ...current, [key]: event.target.checked }))}
              className="size-4 accent-blue-600"
            />
            {label}
          </label>
        ))}
      </div>
    </Section>
  );
}
