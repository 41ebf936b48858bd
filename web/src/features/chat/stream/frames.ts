/**
 * One callback per animation frame, however many times it is asked for: the stream calls `request()` on every
 * token and React state is set once per frame. A hidden tab gets no frames, so there a timer stands in.
 */
export const HIDDEN_TAB_FLUSH_MS = 250;

export interface FrameScheduler {
  request(): void;
  cancel(): void;
}

export function frameScheduler(callback: () => void): FrameScheduler {
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = () => {
    frame = null;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    callback();
  };
  return {
    request() {
      if (frame !== null || timer !== null) return;
      if (typeof document !== "undefined" && document.visibilityState === "hidden") {
        timer = setTimeout(run, HIDDEN_TAB_FLUSH_MS);
      } else {
        frame = requestAnimationFrame(run);
      }
    },
    cancel() {
      if (frame !== null) cancelAnimationFrame(frame);
      if (timer !== null) clearTimeout(timer);
      frame = null;
      timer = null;
    },
  };
}
