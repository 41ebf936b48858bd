/** The usage page's range: a preset of days ending today (UTC, as the API counts days), or custom from/to. */
export type RangePreset = "7" | "30" | "90" | "custom";

export const PRESETS: { value: RangePreset; label: string }[] = [
  { value: "7", label: "Last 7 days" },
  { value: "30", label: "Last 30 days" },
  { value: "90", label: "Last 90 days" },
  { value: "custom", label: "Custom" },
];

const DAY_MS = 86_400_000;

/** YYYY-MM-DD of a UTC day. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

/** The `from`/`to` query of a preset: `days` days ending today, today included. */
export function presetRange(preset: Exclude<RangePreset, "custom">, now: Date = new Date()): { from: string; to: string } {
  const to = isoDay(now);
  return { from: addDays(to, -(Number(preset) - 1)), to };
}

/** Every day from `from` to `to`, both included (for a chart with no gaps). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to && days.length < 1000; day = addDays(day, 1)) days.push(day);
  return days;
}
