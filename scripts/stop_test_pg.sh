#!/usr/bin/env bash
# Stop the throwaway PostgreSQL test server started by scripts/start_test_pg.sh and delete its data.
exec bash "$(dirname "$0")/start_test_pg.sh" stop
