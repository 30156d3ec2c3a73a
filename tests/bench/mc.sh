#!/bin/sh
# Monte Carlo throughput: every practice in England (the 2022/23 NHS
# Payments file when ../shared/data or $PCBUDGET_DATA has it, else a
# synthetic England of 6,700 practices) x 10,000 iterations, on 1 and 2
# threads, beside a bare GSL loop drawing the same variates with the same
# generator.  Target: the 1-thread run within 2x the bare loop, and the
# 1- and 2-thread results bit-identical.  Exit 1 on FAIL.
BUILD=${BUILD:-build}
exec "$BUILD/bench_mc" "${MC_ITERATIONS:-10000}"
