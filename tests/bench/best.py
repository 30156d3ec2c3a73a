#!/usr/bin/python3
"""best.py [--rm DIR] RUNS COMMAND...: runs COMMAND RUNS times (stdout to /dev/null,
stderr kept and shown on failure) and prints "WALL_US CPU_US": the best
wall-clock time and the best CPU time (user + system, all threads, from
wait4's rusage) in microseconds.  --rm DIR removes DIR before each run
(untimed), so that every run writes its outputs afresh.  CPU time is much less sensitive than
wall time to other jobs on a shared machine.  Used by import.sh."""
import os
import shutil
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    rm = None
    if args[:1] == ["--rm"]:
        rm, args = args[1], args[2:]
    runs = int(args[0])
    cmd = args[1:]
    best_wall = best_cpu = None
    for _ in range(runs):
        if rm:
            shutil.rmtree(rm, ignore_errors=True)
        t0 = time.perf_counter_ns()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        t1 = time.perf_counter_ns()
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            sys.stderr.write(err.decode(errors="replace"))
            sys.stderr.write(f"best.py: {cmd[0]} exited with {p.returncode}\n")
            return 1
        wall = (t1 - t0) // 1000
        cpu = int((ru.ru_utime + ru.ru_stime) * 1e6)
        best_wall = wall if best_wall is None else min(best_wall, wall)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    print(best_wall, best_cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
