#!/usr/bin/env bash
# Latency the gateway adds over calling model-svc directly, against REAL tokenizer-svc and model-svc
# processes on loopback (GatewayLatencyBench; see gateway/README.md "Benchmark").
#   gateway/bench-real-services.sh [--pin] <tokenizer-dir> [bench args, e.g. --concurrency 1,16]
# <tokenizer-dir> holds a tokenizer.json (e.g. runs/run-*/tokenizer from ./rlhf-mesh demo); model-svc
# serves a seeded model-core small default with that vocabulary. Two gateways run side by side and are
# measured in one table: "svc-tok" calls tokenizer-svc over gRPC (the default), "in-proc" tokenizes
# in-process (-Drlhf.gateway.tokenizer-path=<tokenizer-dir>); BENCH_TOKENIZER=svc-tok or in-proc keeps
# only one of them. BEFORE_GATEWAY_JAR=<quarkus-run.jar of another gateway build> adds that build in
# the same modes: "before" (tokenizer-svc over gRPC) and "before-ip" (in-process).
# --pin (or BENCH_PIN=1) mirrors a Kubernetes deployment where the gateway is its own pod with its own
# CPU: model-svc and tokenizer-svc run on CPU 0, the gateways and the benchmark client on CPU 1
# (taskset; BENCH_PIN_MODEL_CPUS / BENCH_PIN_GATEWAY_CPUS change the lists). The direct path is
# measured in the same placement (client on the gateways' CPU, model-svc on its own), so the ratio
# stays fair. Without --pin every process shares all cores (the 2-core development machine as is).
# The table has each process's CPU time per call (--cpu-pids). Needs the packaged apps
# (./mvnw -B -q -o package -DskipTests -pl tokenizer-svc,model-svc,gateway -am). Every process it
# starts is stopped on exit. On a shared machine, run it under `nice -n 19` and note `uptime`.
set -euo pipefail
cd "$(dirname "$0")/.."
pin="${BENCH_PIN:-0}"
if [[ "${1:-}" == "--pin" ]]; then
  pin=1
  shift
fi
tok_dir="$(cd "${1:?usage: $0 [--pin] <tokenizer-dir> [bench args]}" && pwd)"
shift
# process placement: empty = no pinning
on_model=()
on_gateway=()
if [[ "$pin" == 1 ]]; then
  if ! command -v taskset >/dev/null; then
    echo "--pin: no taskset on this machine; running without pinning" >&2
  elif (($(nproc) < 2)); then
    echo "--pin: $(nproc) CPU(s) available, 2 needed; running without pinning" >&2
  else
    on_model=(taskset -c "${BENCH_PIN_MODEL_CPUS:-0}")
    on_gateway=(taskset -c "${BENCH_PIN_GATEWAY_CPUS:-1}")
    echo "placement: model-svc, tokenizer-svc on CPU ${BENCH_PIN_MODEL_CPUS:-0}; gateways and" \
      "the benchmark client on CPU ${BENCH_PIN_GATEWAY_CPUS:-1}"
  fi
fi
if [[ ${#on_model[@]} -eq 0 ]]; then
  echo "placement: shared (every process may run on any of the $(nproc) CPUs)"
fi
modes="${BENCH_TOKENIZER:-svc-tok,in-proc}"
log_dir="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT

(cd gateway && ../mvnw -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=target/test-cp.txt \
  -Dmdep.includeScope=test)
cp="gateway/target/test-classes:gateway/target/classes:$(cat gateway/target/test-cp.txt)"

"${on_model[@]}" java -Dai.djl.offline=true \
  -Dquarkus.grpc.server.port=19001 -Dquarkus.http.port=18081 -Drlhf.tokenizer.path="$tok_dir" \
  -jar tokenizer-svc/target/quarkus-app/quarkus-run.jar >"$log_dir/tokenizer-svc.log" 2>&1 &
pids+=($!)
tok_pid=$!
# model-svc decodes on one intra-op thread, as in the demo and bench/run.sh: on 2 shared cores a
# second thread slows it down (model-svc/README.md "Benchmark")
"${on_model[@]}" java -Dai.djl.offline=true \
  -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
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
    "${on_gateway[@]}" java -Dai.djl.offline=true \
    -Dquarkus.grpc.server.port="$grpc" -Dquarkus.http.port="$http" \
    -Drlhf.gateway.rate-limit.requests-per-second=0 "$@" -jar "$jar" \
    >"$log_dir/gateway-$label.log" 2>&1 &
  pids+=($!)
  gateways+=(--gateway "$label=localhost:$grpc,http://localhost:$http")
  cpu_pids+=",gw-$label=$!"
  http_ports+=("$http")
}
if [[ -n "${BEFORE_GATEWAY_JAR:-}" && ",$modes," == *,svc-tok,* ]]; then
  gateway before 19020 18100 "$BEFORE_GATEWAY_JAR"
fi
if [[ -n "${BEFORE_GATEWAY_JAR:-}" && ",$modes," == *,in-proc,* ]]; then
  gateway before-ip 19030 18110 "$BEFORE_GATEWAY_JAR" -Drlhf.gateway.tokenizer-path="$tok_dir"
fi
if [[ ",$modes," == *,svc-tok,* ]]; then
  gateway svc-tok 19000 18080 gateway/target/quarkus-app/quarkus-run.jar
fi
if [[ ",$modes," == *,in-proc,* ]]; then
  gateway in-proc 19010 18090 gateway/target/quarkus-app/quarkus-run.jar \
    -Drlhf.gateway.tokenizer-path="$tok_dir"
fi

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
"${on_gateway[@]}" java -cp "$cp" dev.rlhfmesh.gateway.bench.GatewayLatencyBench \
  --model-svc localhost:19002 --tokenizer localhost:19001 "${gateways[@]}" \
  --cpu-pids "$cpu_pids" --key bench "$@"
echo "load after:  $(uptime)"
for kv in ${cpu_pids//,/ }; do
  echo "rss ${kv%%=*}: $(($(ps -o rss= -p "${kv#*=}") / 1024)) MiB"
done
