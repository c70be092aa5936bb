#!/usr/bin/env bash
# Send N e-mails (default 10,000) from the outbox to a local SMTP sink and report the rate.
#
# The sink is aiosmtpd (PyPI, installed into a venv under the work directory) that counts
# messages. The same run measures a baseline: Python's smtplib sending messages of the same
# size to the same sink (one connection, and CONCURRENCY connections in threads), so the
# figure for Insikt can be read against what the sink itself takes.
#
# Usage: INSIKT_BIN=target/release/insikt scripts/bench-mail.sh [N] [CONCURRENCY]
# Everything runs on 127.0.0.1; nothing is left running when the script ends.
set -euo pipefail

N=${1:-10000}
CONCURRENCY=${2:-4}
BIN=${INSIKT_BIN:-target/release/insikt}
PORT=${SINK_PORT:-2526}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/bench-mail.XXXXXX)
VENV=${BENCH_VENV:-/tmp/bench-mail-venv}
SINK_PID=

cleanup() {
  if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$BIN" ] || { echo "build first: cargo build --release (or set INSIKT_BIN)" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet aiosmtpd
fi

cat >"$WORK/sink.py" <<'PY'
import asyncio, sys, time
from aiosmtpd.controller import Controller

class Counter:
    def __init__(self):
        self.count = 0
        self.bytes = 0
        self.first = None
        self.last = None
    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        if self.first is None:
            self.first = now
        self.last = now
        self.count += 1
        self.bytes += len(envelope.content)
        return "250 OK"

counter = Counter()
controller = Controller(counter, hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
status = sys.argv[2]
try:
    while True:
        with open(status, "w") as f:
            f.write(f"{counter.count} {counter.bytes}\n")
        time.sleep(0.2)
finally:
    controller.stop()
PY

cat >"$WORK/client.py" <<'PY'
# Baseline: the same number of messages of the same size, straight from smtplib.
import smtplib, sys, threading, time
from email.message import EmailMessage
n, threads, port, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
body = ("Hej! Du har valts ut slumpmässigt att svara på enkäten. " * 40)[:size]

def work(count, offset):
    with smtplib.SMTP("127.0.0.1", port) as s:
        for i in range(count):
            m = EmailMessage()
            m["From"] = "Insikt <insikt@example.se>"
            m["To"] = f"person{offset + i:05d}@example.se"
            m["Subject"] = "Inbjudan: enkät"
            m.set_content(body)
            s.send_message(m)

start = time.monotonic()
per = n // threads
ts = [threading.Thread(target=work, args=(per + (1 if t < n % threads else 0), t * per)) for t in range(threads)]
for t in ts: t.start()
for t in ts: t.join()
secs = time.monotonic() - start
print(f"{n} messages in {secs:.2f} s = {n / secs:.0f} messages/s ({threads} connection(s))")
PY

wait_count() {  # wait until the sink has counted $1 messages
  for _ in $(seq 1 600); do
    if [ -f "$WORK/status" ] && [ "$(cut -d' ' -f1 "$WORK/status")" -ge "$1" ]; then return 0; fi
    sleep 0.2
  done
  echo "the sink did not receive $1 messages" >&2; exit 1
}

"$VENV/bin/python" "$WORK/sink.py" "$PORT" "$WORK/status" &
SINK_PID=$!
sleep 1.5

export DATABASE_URL="sqlite://$WORK/bench.db"
export INSIKT_DATA_DIR="$WORK"
export INSIKT_SURVEYS_DIR="$ROOT/surveys"
export INSIKT_SMTP_URL="smtp://127.0.0.1:$PORT"
export INSIKT_MAIL_FROM="Insikt <insikt@example.se>"
export INSIKT_PUBLIC_URL="https://insikt.example.se"
export INSIKT_MAIL_RATE=0
export INSIKT_MAIL_CONCURRENCY="$CONCURRENCY"
"$BIN" migrate >/dev/null
"$BIN" surveys load "$ROOT/surveys" >/dev/null
KEY=$(sqlite3 "$WORK/bench.db" "SELECT key FROM surveys ORDER BY key LIMIT 1")
sqlite3 "$WORK/bench.db" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO invitations (id, survey_id, code, language, created_at)
SELECT printf('inv-%06d', i), (SELECT id FROM surveys WHERE key = '$KEY'),
       printf('B%03d-%04d', i / 10000, i % 10000),
       CASE WHEN i % 5 = 0 THEN 'en' ELSE 'sv' END, '2026-11-29 08:00:00'
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO invitation_contacts (invitation_id, email)
SELECT printf('inv-%06d', i), printf('person%06d@example.se', i) FROM n;
SQL
"$BIN" mail queue --survey "$KEY" --kind invitation

echo "== uptime before: $(uptime)"
START=$(date +%s.%N)
"$BIN" mail send-due --survey "$KEY"
END=$(date +%s.%N)
wait_count "$N"
BYTES=$(cut -d' ' -f2 "$WORK/status")
echo "insikt mail send-due: $N messages in $(echo "$END - $START" | bc) s = $(echo "$N / ($END - $START)" | bc) messages/s (concurrency $CONCURRENCY, rate unlimited); mean size $((BYTES / N)) bytes"
SENT=$(sqlite3 "$WORK/bench.db" "SELECT count(*) FROM deliveries WHERE status = 'sent'")
echo "deliveries marked sent: $SENT"

SIZE=$((BYTES / N))
BEFORE=$(cut -d' ' -f1 "$WORK/status")
"$VENV/bin/python" "$WORK/client.py" "$N" 1 "$PORT" "$SIZE"
wait_count $((BEFORE + N))
BEFORE=$(cut -d' ' -f1 "$WORK/status")
"$VENV/bin/python" "$WORK/client.py" "$N" "$CONCURRENCY" "$PORT" "$SIZE"
wait_count $((BEFORE + N))
echo "== uptime after: $(uptime)"
