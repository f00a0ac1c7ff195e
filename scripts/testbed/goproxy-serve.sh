#!/usr/bin/env bash
# Serves the static GOPROXY tree (goproxy/build.sh) on 127.0.0.1 with python3's http.server.
#
# Usage: goproxy-serve.sh start|stop|status|restart [PORT]
#        goproxy-serve.sh mark [PORT]              prints the current access-log position (a line number)
#        goproxy-serve.sh count-since MARK [PORT]  counts requests logged after MARK, by kind
#        goproxy-serve.sh log-path [PORT]
# Env:   GOFRONT_GOPROXY_DIR (default $GOFRONT_TESTBED_CACHE/goproxy), GOFRONT_GOPROXY_PORT (default 3131).
#
# Files: $GOFRONT_TESTBED_CACHE/goproxy-PORT.pid and goproxy-PORT.log. The log is http.server's format,
# one request per line, appended across restarts:
#   127.0.0.1 - - [21/Nov/2026 12:00:00] "GET /github.com/go-chi/chi/v5/@v/v5.0.7.zip HTTP/1.1" 200 -
# Paths are URL-encoded as Go sent them (upper case as %21x).
set -euo pipefail
LOG_TAG=goproxy-serve
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cmd=${1:-status}
case $cmd in
  count-since) MARK=${2:?count-since needs a MARK from "mark"}; PORT=${3:-${GOFRONT_GOPROXY_PORT:-3131}} ;;
  *) PORT=${2:-${GOFRONT_GOPROXY_PORT:-3131}} ;;
esac
DIR=${GOFRONT_GOPROXY_DIR:-$TESTBED_CACHE/goproxy}
PIDFILE=$TESTBED_CACHE/goproxy-$PORT.pid
LOGFILE=$TESTBED_CACHE/goproxy-$PORT.log

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

start() {
  if running; then log "already running on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"; return 0; fi
  [ -f "$DIR/_meta/MANIFEST.tsv" ] || die "no proxy tree in $DIR (run scripts/testbed/goproxy/build.sh)"
  answers && die "port $PORT on 127.0.0.1 is taken by another process"
  mkdir -p "$TESTBED_CACHE"
  touch "$LOGFILE"
  python3 -u -m http.server --bind 127.0.0.1 --directory "$DIR" "$PORT" >>"$LOGFILE" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 50); do answers && break; sleep 0.1; done
  answers || { tail -n 5 "$LOGFILE" >&2; die "proxy did not start"; }
  log "serving $DIR on http://127.0.0.1:$PORT (pid $(cat "$PIDFILE"), log $LOGFILE)"
}

stop() {
  if running; then
    local pid
    pid=$(cat "$PIDFILE")
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    log "stopped (pid $pid)"
  else
    log "not running"
  fi
  rm -f "$PIDFILE"
}

mark() { if [ -f "$LOGFILE" ]; then wc -l <"$LOGFILE" | tr -d ' '; else echo 0; fi; }

# count-since MARK: one line "zip=N mod=N info=N list=N latest=N other=N notfound=N total=N" for the
# GET requests logged after line MARK (notfound counts 404/410 answers of any kind).
count_since() {
  [ -f "$LOGFILE" ] || { echo "zip=0 mod=0 info=0 list=0 latest=0 other=0 notfound=0 total=0"; return 0; }
  tail -n +"$((MARK + 1))" "$LOGFILE" | awk '
    /"GET / {
      match($0, /"GET [^ ]+/); p = substr($0, RSTART + 5, RLENGTH - 5)
      n = split($0, f, "\" "); split(f[n], c, " "); code = c[1]
      total++
      if (code == 404 || code == 410) { notfound++; next }
      if (p ~ /\.zip$/) zip++; else if (p ~ /\.mod$/) mod++; else if (p ~ /\.info$/) info++
      else if (p ~ /\/@v\/list$/) list++; else if (p ~ /\/@latest$/) latest++; else other++
    }
    END { printf "zip=%d mod=%d info=%d list=%d latest=%d other=%d notfound=%d total=%d\n",
          zip, mod, info, list, latest, other, notfound, total }'
}

case $cmd in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status)
    if running; then echo "running on 127.0.0.1:$PORT (pid $(cat "$PIDFILE")), serving $DIR, log $LOGFILE"
    else echo "not running (port $PORT)"; exit 3; fi ;;
  mark) mark ;;
  count-since) count_since ;;
  log-path) echo "$LOGFILE" ;;
  *) die "usage: $0 start|stop|status|restart|mark|count-since MARK|log-path [PORT]" ;;
esac
