/** How a plan reports progress on stderr. */
export interface ProgressOptions {
    /** Receives each line; undefined for none. */
    emit?: (line: string) => void;
    /** Show phase lines for every registry (CI logs), not only for 100 tenants or more. */
    always: boolean;
    /** When set, a "still …" line follows whenever nothing was printed for this long, so a log never goes quiet for longer. */
    heartbeatMs?: number;
    /** The clock, for tests. */
    now?: () => number;
}

/** Registries from this size on show their phases even on a terminal. */
export const LARGE_REGISTRY = 100;

/**
 * Phase lines (`tenancy plan: recording …`) and, where asked, a heartbeat: a line at least every
 * `heartbeatMs` plus a quarter of it, whatever the plan is doing, naming the phase and elapsed time.
 */
export class PlanProgress {
    private phase = "starting";
    private detail = "";
    private last: number;
    private readonly started: number;
    private timer?: NodeJS.Timeout;
    private shown: boolean;
    private readonly now: () => number;

    constructor(private readonly options: ProgressOptions) {
        this.now = options.now ?? Date.now;
        this.started = this.last = this.now();
        this.shown = options.always;
    }

    /** Decides, once the registry size is known, whether phase lines are shown; starts the heartbeat. */
    begin(tenants: number): void {
        this.shown = this.options.always || tenants >= LARGE_REGISTRY;
        const every = this.options.heartbeatMs;
        if (!this.options.emit || !every) return;
        this.timer = setInterval(() => {
            if (this.now() - this.last >= every) this.line(`tenancy plan: still ${this.phase}${this.detail ? ` (${this.detail})` : ""}, ${Math.round((this.now() - this.started) / 1000)} s so far…`);
        }, Math.max(10, Math.floor(every / 4)));
        // The timer never keeps the process alive on its own.
        this.timer.unref();
    }

    /** Enters a phase (`recording the program`), printing `tenancy plan: <phase><suffix>`. */
    enter(phase: string, suffix: string): void {
        this.phase = phase;
        this.detail = "";
        if (this.shown) this.line(`tenancy plan: ${phase}${suffix}`);
    }

    /** Updates what the heartbeat says about the current phase (`120/5000 resources`), printing nothing. */
    note(detail: string): void {
        this.detail = detail;
    }

    /** A line of the current phase, shown with the phase lines. */
    step(line: string): void {
        if (this.shown) this.line(line);
    }

    /** Stops the heartbeat. */
    end(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
    }

    private line(text: string): void {
        this.last = this.now();
        this.options.emit?.(text);
    }
}
