import { execFileSync, type ChildProcess } from "node:child_process";
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
    /**
     * CPU time (user and system, every thread) of every process the step ran, in milliseconds, as
     * last polled: a process's last 50 ms before it exits are not counted, so this errs low.
     */
    cpuMs: number;
    /** Peak RSS and CPU time per process of the tree, by what it runs (see `role`), largest RSS first. */
    processes: { role: string; rss: number; cpuMs: number }[];
}

/** Milliseconds per clock tick of /proc/<pid>/stat's CPU times (`getconf CLK_TCK`, 100 on Linux). */
const MS_PER_TICK = 1000 / (Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100);

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

// Every process's children, and its CPU time so far.
function processes(): { tree: Map<number, number[]>; cpuMs: Map<number, number> } {
    const tree = new Map<number, number[]>();
    const cpuMs = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = statOf(fs.readFileSync(`/proc/${entry}/stat`, "utf8"));
            tree.set(stat.ppid, [...(tree.get(stat.ppid) ?? []), Number(entry)]);
            cpuMs.set(Number(entry), stat.cpuMs);
        } catch {
            /* the process ended while we looked */
        }
    }
    return { tree, cpuMs };
}

/** The CPU time a live process has used so far, in milliseconds (0 once it is gone). */
export function processCpuMs(pid: number): number {
    try {
        return statOf(fs.readFileSync(`/proc/${pid}/stat`, "utf8")).cpuMs;
    } catch {
        return 0;
    }
}

// After the command name, which may hold spaces: state, ppid (2nd), … utime (12th), stime (13th).
function statOf(stat: string): { ppid: number; cpuMs: number } {
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK };
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
    const cpu = new Map<number, number>();
    let highest = 0;
    const roles = new Map<number, string>();
    const started = Date.now();
    const running = step();
    // For work done in this process's children, their trees are measured, not this process itself.
    const roots = (tree: Map<number, number[]>) => ("pid" in running && running.pid ? [running.pid] : [...(tree.get(process.pid) ?? []), ...(extraPid ? [extraPid] : [])]);
    const sample = () => {
        const { tree, cpuMs } = processes();
        const seen = new Set<number>();
        let live = 0;
        const visit = (pid: number) => {
            if (seen.has(pid)) return;
            seen.add(pid);
            const { hwm, rss } = memory(pid);
            live += rss;
            peaks.set(pid, Math.max(peaks.get(pid) ?? 0, hwm));
            cpu.set(pid, Math.max(cpu.get(pid) ?? 0, cpuMs.get(pid) ?? 0));
            // Read again each time: a forked child shows its parent's command line until it has exec'd.
            const current = role(pid);
            if (current !== "?") roles.set(pid, current);
            for (const child of tree.get(pid) ?? []) visit(child);
        };
        roots(tree).forEach(visit);
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
    const measured = [...peaks]
        .map(([pid, rss]) => ({ role: roles.get(pid) ?? "?", rss, cpuMs: cpu.get(pid) ?? 0 }))
        .filter((p) => p.rss > 0)
        .sort((a, b) => b.rss - a.rss);
    const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
    return { ms: Date.now() - started, rss: highest, peaks: sum(peaks.values()), cpuMs: sum(cpu.values()), processes: measured };
}
