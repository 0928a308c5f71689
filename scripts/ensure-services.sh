#!/usr/bin/env bash
# The services-mode suite talks to a real PostgreSQL (and, as the platform grows,
# RabbitMQ and Redis) on loopback. Start any that is installed but stopped.
set -u
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "PostgreSQL is not answering; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL at 127.0.0.1:5432 is required for npm run test:services" >&2; exit 1; }
