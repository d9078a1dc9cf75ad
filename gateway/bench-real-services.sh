#!/usr/bin/env bash
# Latency the gateway adds over calling model-svc directly, against REAL tokenizer-svc and model-svc
# processes on loopback (GatewayLatencyBench; see gateway/README.md "Benchmark").
#   gateway/bench-real-services.sh <tokenizer-dir> [bench args, e.g. --requests 200 --concurrency 1,16]
# <tokenizer-dir> holds a tokenizer.json (e.g. runs/run-*/tokenizer from ./rlhf-mesh demo); model-svc
# serves a seeded model-core small default with that vocabulary. Needs the packaged apps
# (./mvnw -B -q package -DskipTests). Every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
tok_dir="$(cd "${1:?usage: $0 <tokenizer-dir> [bench args]}" && pwd)"
shift
log_dir="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT

(cd gateway && ../mvnw -B -q -o dependency:build-classpath -Dmdep.outputFile=target/test-cp.txt \
  -Dmdep.includeScope=test)
cp="gateway/target/test-classes:gateway/target/classes:$(cat gateway/target/test-cp.txt)"

java -Dai.djl.offline=true -Dquarkus.grpc.server.port=19001 -Dquarkus.http.port=18081 \
  -Drlhf.tokenizer.path="$tok_dir" -jar tokenizer-svc/target/quarkus-app/quarkus-run.jar \
  >"$log_dir/tokenizer-svc.log" 2>&1 &
pids+=($!)
java -Dai.djl.offline=true -Dquarkus.grpc.server.port=19002 -Dquarkus.http.port=18082 \
  -Drlhf.model.tokenizer-path="$tok_dir" -Drlhf.model.served=policy \
  -jar model-svc/target/quarkus-app/quarkus-run.jar >"$log_dir/model-svc.log" 2>&1 &
pids+=($!)
RLHF_TOKENIZER_PORT=19001 RLHF_MODEL_PORT=19002 RLHF_GATEWAY_API_KEYS=bench \
  java -Dquarkus.grpc.server.port=19000 -Dquarkus.http.port=18080 \
  -Drlhf.gateway.rate-limit.requests-per-second=0 -jar gateway/target/quarkus-app/quarkus-run.jar \
  >"$log_dir/gateway.log" 2>&1 &
pids+=($!)

for port in 18081 18082 18080; do
  for _ in $(seq 1 120); do
    curl -sf "http://localhost:$port/q/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
done
echo "logs: $log_dir"
java -cp "$cp" dev.rlhfmesh.gateway.bench.GatewayLatencyBench --model-svc localhost:19002 \
  --tokenizer localhost:19001 --gateway-grpc localhost:19000 --gateway-http http://localhost:18080 \
  --key bench "$@"
