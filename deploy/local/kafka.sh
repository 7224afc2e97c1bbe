#!/usr/bin/env bash
# Single-node Kafka (KRaft, broker+controller) on 127.0.0.1 for development and tests.
# Jars come from Maven Central once (deploy/local/kafka-pom.xml) into a git-ignored cache.
#   kafka.sh fetch|start|stop|status
# Settings: AVAIN_KAFKA_PORT (9092), AVAIN_KAFKA_CONTROLLER_PORT (port+1), AVAIN_DATA_DIR (.data),
#           AVAIN_CACHE_DIR (.cache), AVAIN_START_TIMEOUT (300 s to answer)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${AVAIN_KAFKA_PORT:-9092}
CPORT=${AVAIN_KAFKA_CONTROLLER_PORT:-$((PORT + 1))}
DATA=${AVAIN_DATA_DIR:-$ROOT/.data}/kafka-$PORT
CACHE=${AVAIN_CACHE_DIR:-$ROOT/.cache}/kafka
LIBS=$CACHE/libs
PIDFILE=$DATA/kafka.pid

log() { echo "[kafka:$PORT] $*" >&2; }
# shellcheck source=deploy/local/packages.sh
. "$ROOT/deploy/local/packages.sh"  # need: java and maven on a clean machine

fetch() {
  if [ -f "$LIBS/.complete" ]; then return 0; fi
  need java openjdk-17-jre-headless
  need mvn maven
  log "fetching broker jars from Maven Central into $LIBS"
  rm -rf "$LIBS"; mkdir -p "$LIBS"
  mvn -B -q -f "$ROOT/deploy/local/kafka-pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$LIBS"
  ls "$LIBS"/kafka_2.13-*.jar "$LIBS"/log4j-core-*.jar >/dev/null
  touch "$LIBS/.complete"
}

answers() {  # true when the broker port accepts TCP connections and a metadata request succeeds
  (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null || return 1
  python3 - "$PORT" <<'PY' 2>/dev/null
import socket, struct, sys
port = int(sys.argv[1])
# ApiVersions v0 request: a broker that answers it is serving the Kafka protocol.
body = struct.pack(">hhih", 18, 0, 1, 5) + b"probe"
with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
    s.sendall(struct.pack(">i", len(body)) + body)
    size = struct.unpack(">i", s.recv(4))[0]
    data = b""
    while len(data) < size:
        data += s.recv(size - len(data))
    err = struct.unpack(">ih", data[:6])[1]
    sys.exit(0 if err == 0 else 1)
PY
}

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid; pid=$(cat "$PIDFILE")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

write_config() {
  mkdir -p "$DATA/logs" "$DATA/log"
  cat > "$DATA/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA/log
num.partitions=${AVAIN_KAFKA_PARTITIONS:-3}
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
offsets.topic.num.partitions=4
transaction.state.log.num.partitions=4
PROPS
  cat > "$DATA/log4j2.yaml" <<'YAML'
Configuration:
  Appenders:
    File:
      name: File
      fileName: "${sys:kafka.logs.dir}/server.log"
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: File
    Logger:
      - name: kafka.request.logger
        level: WARN
      - name: org.apache.kafka.controller
        level: WARN
YAML
}

start() {
  need java openjdk-17-jre-headless
  fetch
  if pid=$(running_pid) && answers; then log "already running (pid $pid)"; return 0; fi
  if ! running_pid >/dev/null && answers; then log "using the broker already listening on 127.0.0.1:$PORT"; return 0; fi
  if pid=$(running_pid); then
    log "process $pid exists but does not answer; waiting for it"
  else
    write_config
    if [ ! -f "$DATA/log/meta.properties" ]; then
      local cid; cid=$(python3 -c 'import base64,uuid;print(base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode().lstrip("-_") or "avainlocal")')
      java -cp "$LIBS/*" kafka.tools.StorageTool format --standalone --ignore-formatted \
        -t "$cid" -c "$DATA/server.properties" >"$DATA/logs/format.log" 2>&1 \
        || { cat "$DATA/logs/format.log" >&2; exit 1; }
    fi
    # A crash can leave a lock behind; the broker takes it again on start, so nothing to clean.
    nohup java -server -Xms256m -Xmx${AVAIN_KAFKA_HEAP:-768m} -XX:+UseG1GC \
      -Dkafka.logs.dir="$DATA/logs" -Dlog4j2.configurationFile="$DATA/log4j2.yaml" \
      -cp "$LIBS/*" kafka.Kafka "$DATA/server.properties" >"$DATA/logs/stdout.log" 2>&1 &
    echo $! > "$PIDFILE"
    log "starting (pid $!)"
  fi
  # A JVM on two cores that several test suites share can take minutes to start: a deadline, generous.
  local deadline=$((SECONDS + ${AVAIN_START_TIMEOUT:-300}))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if answers; then log "ready on 127.0.0.1:$PORT"; return 0; fi
    if ! running_pid >/dev/null; then log "broker exited; see $DATA/logs"; tail -n 20 "$DATA/logs/stdout.log" "$DATA/logs/server.log" >&2 || true; exit 1; fi
    sleep 0.5
  done
  log "did not answer within ${AVAIN_START_TIMEOUT:-300} s"; exit 1
}

stop() {
  if pid=$(running_pid); then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { log "forcing stop"; kill -KILL "$pid"; }
    log "stopped"
  else
    log "not running"
  fi
  rm -f "$PIDFILE"
}

status() {
  if pid=$(running_pid) && answers; then log "running (pid $pid)"; else log "not running"; return 3; fi
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
