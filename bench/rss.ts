import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";

/** Wall time and peak resident memory of one measured step. */
export interface Sampled {
    /** Milliseconds from start to end. */
    ms: number;
    /**
     * The highest sum of the RSS (VmRSS) of the step's processes alive at one time, in bytes: the
     * memory the step needs of the machine. A plan in shards runs many short-lived processes one
     * after another, so the sum of each one's own peak (`peaks`) overstates it.
     */
    rss: number;
    /** Sum of the peak RSS (VmHWM) of every process the step ever ran, in bytes. */
    peaks: number;
    /** Peak RSS per process of the tree, by what it runs (see `role`), largest first. */
    processes: { role: string; rss: number }[];
}

// What a process of a plan runs, from its command line.
function role(pid: number): string {
    try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        // A process that has exited (a zombie until reaped) shows no command line.
        if (argv[0] === "") return "?";
        if (argv.some((a) => a.endsWith("engine/child.ts") || a.endsWith("engine/child.js"))) return "recording child";
        if (argv.some((a) => a.includes("run-policy-pack"))) return "policy pack";
        if (argv.some((a) => a.endsWith("tenancy.js"))) return "plan";
        return argv.slice(0, 2).map((a) => a.split("/").pop()).join(" ");
    } catch {
        return "?";
    }
}

function children(): Map<number, number[]> {
    const tree = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            tree.set(ppid, [...(tree.get(ppid) ?? []), Number(entry)]);
        } catch {
            /* the process ended while we looked */
        }
    }
    return tree;
}

// A process's peak RSS (VmHWM) and current RSS (VmRSS), in bytes; zeros once it is gone.
function memory(pid: number): { hwm: number; rss: number } {
    try {
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
        return { hwm: kb("VmHWM"), rss: kb("VmRSS") };
    } catch {
        return { hwm: 0, rss: 0 };
    }
}

/**
 * Runs a step (a child process, or a promise whose work happens in this process's children or in
 * `extraPid`) and polls every 50 ms for the RSS of each process of its tree: the highest sum of
 * the live processes' RSS, and each process's peak. Work done in this process itself (a promise
 * step) is timed but not counted.
 */
export async function peakRss(step: () => ChildProcess | Promise<unknown>, extraPid?: number): Promise<Sampled> {
    const peaks = new Map<number, number>();
    let highest = 0;
    const roles = new Map<number, string>();
    const started = Date.now();
    const running = step();
    // For work done in this process's children, their trees are measured, not this process itself.
    const roots = () => ("pid" in running && running.pid ? [running.pid] : [...(children().get(process.pid) ?? []), ...(extraPid ? [extraPid] : [])]);
    const sample = () => {
        const tree = children();
        const seen = new Set<number>();
        let live = 0;
        const visit = (pid: number) => {
            if (seen.has(pid)) return;
            seen.add(pid);
            const { hwm, rss } = memory(pid);
            live += rss;
            peaks.set(pid, Math.max(peaks.get(pid) ?? 0, hwm));
            // Read again each time: a forked child shows its parent's command line until it has exec'd.
            const current = role(pid);
            if (current !== "?") roles.set(pid, current);
            for (const child of tree.get(pid) ?? []) visit(child);
        };
        roots().forEach(visit);
        highest = Math.max(highest, live);
    };
    const timer = setInterval(sample, 50);
    try {
        if ("pid" in running) {
            await new Promise<void>((resolve, reject) =>
                running.once("exit", (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`step exited with code ${code}`)))),
            );
        } else await running;
    } finally {
        clearInterval(timer);
    }
    const processes = [...peaks].map(([pid, rss]) => ({ role: roles.get(pid) ?? "?", rss })).filter((p) => p.rss > 0).sort((a, b) => b.rss - a.rss);
    return { ms: Date.now() - started, rss: highest, peaks: [...peaks.values()].reduce((a, b) => a + b, 0), processes };
}
