#!/usr/bin/env bash
# Runs the self-test when it was built; a machine without a usable GPU skips it (exit code 2).
cd "$(dirname "$0")"
if [ ! -x target/selftest ]; then
    echo "selftest not built (no nvcc): skipping it"
    exit 0
fi
target/selftest "$@"
rc=$?
if [ $rc -eq 2 ]; then
    echo "no usable CUDA device: selftest skipped"
    exit 0
fi
exit $rc
