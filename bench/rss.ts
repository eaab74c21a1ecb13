import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";

/** Wall time and peak resident memory of one measured step. */
export interface Sampled {
    /** Milliseconds from start to end. */
    ms: number;
    /** Sum of the peak RSS (VmHWM) of every process of the step's tree, in bytes. */
    rss: number;
    /** Peak RSS per process of the tree, by what it runs (see `role`), largest first. */
    processes: { role: string; rss: number }[];
}

// What a process of a plan runs, from its command line.
function role(pid: number): string {
    try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        if (argv.some((a) => a.endsWith("child.ts"))) return "recording child";
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

function hwm(pid: number): number {
    try {
        const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
        return kb ? Number(kb) * 1024 : 0;
    } catch {
        return 0;
    }
}

/**
 * Runs a step (a child process, or a promise whose work happens in this process's children or in
 * `extraPid`) and polls every 100 ms for the peak RSS of each process of its tree. Work done in
 * this process itself (a promise step) is timed but not counted.
 */
export async function peakRss(step: () => ChildProcess | Promise<unknown>, extraPid?: number): Promise<Sampled> {
    const peaks = new Map<number, number>();
    const roles = new Map<number, string>();
    const started = Date.now();
    const running = step();
    // For work done in this process's children, their trees are measured, not this process itself.
    const roots = () => ("pid" in running && running.pid ? [running.pid] : [...(children().get(process.pid) ?? []), ...(extraPid ? [extraPid] : [])]);
    const sample = () => {
        const tree = children();
        const seen = new Set<number>();
        const visit = (pid: number) => {
            if (seen.has(pid)) return;
            seen.add(pid);
            peaks.set(pid, Math.max(peaks.get(pid) ?? 0, hwm(pid)));
            // Read again each time: a forked child shows its parent's command line until it has exec'd.
            const current = role(pid);
            if (current !== "?") roles.set(pid, current);
            for (const child of tree.get(pid) ?? []) visit(child);
        };
        roots().forEach(visit);
    };
    const timer = setInterval(sample, 100);
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
    return { ms: Date.now() - started, rss: [...peaks.values()].reduce((a, b) => a + b, 0), processes };
}
