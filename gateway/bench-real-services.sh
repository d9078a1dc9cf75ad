#!/usr/bin/env bash
# Latency the gateway adds over calling model-svc directly, against REAL tokenizer-svc and model-svc
# processes on loopback (GatewayLatencyBench; see gateway/README.md "Benchmark").
#   gateway/bench-real-services.sh <tokenizer-dir> [bench args, e.g. --requests 200 --concurrency 1,16]
# <tokenizer-dir> holds a tokenizer.json (e.g. runs/run-*/tokenizer from ./rlhf-mesh demo); model-svc
# serves a seeded model-core small default with that vocabulary. Two gateways run side by side and are
# measured in one table: "svc-tok" calls tokenizer-svc over gRPC (the default), "in-proc" tokenizes
# in-process (-Drlhf.gateway.tokenizer-path=<tokenizer-dir>). BEFORE_GATEWAY_JAR=<quarkus-run.jar of
# another gateway build> adds a third row pair, "before" (that build, tokenizer-svc over gRPC).
# The table has each process's CPU time per call (--cpu-pids). Needs the packaged apps
# (./mvnw -B -q -o package -DskipTests -pl tokenizer-svc,model-svc,gateway -am). Every process it
# starts is stopped on exit. On a shared machine, run it under `nice -n 19` and note `uptime`.
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
tok_pid=$!
# model-svc decodes on one intra-op thread, as in the demo and bench/run.sh: on 2 shared cores a
# second thread slows it down (model-svc/README.md "Benchmark")
java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
  -Dquarkus.grpc.server.port=19002 -Dquarkus.http.port=18082 \
  -Drlhf.model.tokenizer-path="$tok_dir" -Drlhf.model.served=policy \
  -jar model-svc/target/quarkus-app/quarkus-run.jar >"$log_dir/model-svc.log" 2>&1 &
pids+=($!)
model_pid=$!

# gateway <label> <grpc port> <http port> <jar> [extra java options]
gateways=()
cpu_pids="model-svc=$model_pid,tokenizer-svc=$tok_pid"
http_ports=(18081 18082)
gateway() {
  local label=$1 grpc=$2 http=$3 jar=$4
  shift 4
  RLHF_TOKENIZER_PORT=19001 RLHF_MODEL_PORT=19002 RLHF_GATEWAY_API_KEYS=bench \
    java -Dai.djl.offline=true -Dquarkus.grpc.server.port="$grpc" -Dquarkus.http.port="$http" \
    -Drlhf.gateway.rate-limit.requests-per-second=0 "$@" -jar "$jar" \
    >"$log_dir/gateway-$label.log" 2>&1 &
  pids+=($!)
  gateways+=(--gateway "$label=localhost:$grpc,http://localhost:$http")
  cpu_pids+=",gw-$label=$!"
  http_ports+=("$http")
}
if [[ -n "${BEFORE_GATEWAY_JAR:-}" ]]; then
  gateway before 19020 18100 "$BEFORE_GATEWAY_JAR"
fi
gateway svc-tok 19000 18080 gateway/target/quarkus-app/quarkus-run.jar
gateway in-proc 19010 18090 gateway/target/quarkus-app/quarkus-run.jar \
  -Drlhf.gateway.tokenizer-path="$tok_dir"

for port in "${http_ports[@]}"; do
  for _ in $(seq 1 120); do
    curl -sf "http://localhost:$port/q/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -sf "http://localhost:$port/q/health/ready" >/dev/null || {
    echo "service on HTTP port $port is not ready; logs in $log_dir" >&2
    exit 1
  }
done
echo "logs: $log_dir"
echo "load before: $(uptime)"
java -cp "$cp" dev.rlhfmesh.gateway.bench.GatewayLatencyBench --model-svc localhost:19002 \
  --tokenizer localhost:19001 "${gateways[@]}" --cpu-pids "$cpu_pids" --key bench "$@"
echo "load after:  $(uptime)"
for kv in ${cpu_pids//,/ }; do
  echo "rss ${kv%%=*}: $(($(ps -o rss= -p "${kv#*=}") / 1024)) MiB"
done
