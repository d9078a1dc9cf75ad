#!/usr/bin/env bash
# The benchmark in one command: installs the Python peer's runtime (bench/setup.sh), builds what the
# harness needs with the Maven wrapper, runs dev.rlhfmesh.bench.BenchMain (which runs the peer as a
# subprocess), prints the table and writes bench/target/bench.json (or --out FILE).
#
#   ./bench/run.sh [--out FILE] [--repeats N] [--warmup N] [--threads N] [--no-services]
#
# Service rows need the packaged apps (<svc>/target/quarkus-app/quarkus-run.jar); set
# BENCH_BUILD_SERVICES=1 to package model-svc, tokenizer-svc and reward-svc first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/setup.sh
offline=""
if [ "${BENCH_OFFLINE:-1}" = "1" ]; then offline="-o"; fi
if [ "${BENCH_BUILD_SERVICES:-0}" = "1" ]; then
  ./mvnw -B -q $offline -pl model-svc,tokenizer-svc,reward-svc -am package -DskipTests
fi
# MKL's AVX-512-capable path on a non-Intel CPU, for our side and the services it starts (the
# library is built with model-core; the Python peer's process drops it: PeerRunner)
# shellcheck source=../model-core/src/main/c/preload-env.sh
. model-core/src/main/c/preload-env.sh "$(pwd)"
# Build and run in one reactor (the harness's classpath resolves the reactor's jars); the Quarkus
# packaging of trainer-svc is skipped: only its plain jar (the PPO learner) is needed here.
./mvnw -B -q $offline -pl bench -am package -DskipTests -Dquarkus.build.skip=true \
  -Prun-bench -Dbench.args="$*"
