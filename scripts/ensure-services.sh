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

# RabbitMQ carries publishing events in the services suite.
rabbit_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
if ! rabbit_up && command -v rabbitmq-server >/dev/null; then
  echo "RabbitMQ is not answering; starting it"
  rabbitmq-server -detached || true
  for _ in $(seq 1 60); do rabbit_up && break; sleep 1; done
fi
rabbit_up || { echo "RabbitMQ at 127.0.0.1:5672 is required for npm run test:services" >&2; exit 1; }
