import { createStore } from "./store";

/** The developer dashboard's toggles, kept in localStorage so they survive a reload. */
export interface DebugToggles {
  /** Show each reply's raw SSE events under it. */
  rawEvents: boolean;
  /** Show timings (time to first token, tokens/s, total) on every message. */
  timings: boolean;
}

const KEY = "privategpt.debug";
const DEFAULTS: DebugToggles = { rawEvents: false, timings: false };

function read(): DebugToggles {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(KEY) ?? "{}");
    return { ...DEFAULTS, ...(typeof stored === "object" && stored !== null ? stored : {}) };
  } catch {
    return DEFAULTS;
  }
}

export const debugToggles = createStore<DebugToggles>(typeof localStorage === "undefined" ? DEFAULTS : read());

debugToggles.subscribe(() => {
  try {
    localStorage.setItem(KEY, JSON.stringify(debugToggles.get()));
  } catch {
    // private mode or a full quota: the toggles last for this page only
  }
});
