/** A tiny stand-in for the browser's EventSource in tests: events are pushed by hand. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;

  readonly url: string;
  readyState = FakeEventSource.CONNECTING;
  closed = false;
  private listeners = new Map<string, Set<(event: Event) => void>>();

  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }

  static latest(): FakeEventSource {
    const last = FakeEventSource.instances.at(-1);
    if (!last) throw new Error("no EventSource was opened");
    return last;
  }

  addEventListener(type: string, listener: (event: Event) => void): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)?.add(listener);
  }

  removeEventListener(type: string, listener: (event: Event) => void): void {
    this.listeners.get(type)?.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.readyState = FakeEventSource.CLOSED;
  }

  /** The server sends `event: <type>` with JSON data (and an id). */
  emit(type: string, data: unknown, id?: number): void {
    this.readyState = FakeEventSource.OPEN;
    const event = new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id === undefined ? "" : String(id) });
    this.dispatch(type, event);
  }

  /** The browser's own failure: network, or a 404/410 answer to the GET. */
  fail(): void {
    this.dispatch("error", new Event("error"));
  }

  private dispatch(type: string, event: Event): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

/** requestAnimationFrame by hand: callbacks wait until `runFrame()`. */
export function manualFrames(): { runFrame(): number; pending(): number; install(): void } {
  let callbacks = new Map<number, FrameRequestCallback>();
  let next = 1;
  return {
    install() {
      globalThis.requestAnimationFrame = (callback: FrameRequestCallback) => {
        const id = next++;
        callbacks.set(id, callback);
        return id;
      };
      globalThis.cancelAnimationFrame = (id: number) => {
        callbacks.delete(id);
      };
    },
    runFrame() {
      const due = callbacks;
      callbacks = new Map();
      for (const callback of due.values()) callback(performance.now());
      return due.size;
    },
    pending: () => callbacks.size,
  };
}
