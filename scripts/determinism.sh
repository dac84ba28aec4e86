#!/usr/bin/env bash
# Runs the full matrix N times (default 5) and fails unless every run gives identical verdicts.
# Each run's JSON report stays in the output directory for comparison. Arguments after the
# first two go to the matrix: scripts/determinism.sh 3 /tmp/app-runs --app (the app matrix).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
out=${2:-$(mktemp -d -t mysql-chaos-determinism-XXXX)}
mkdir -p "$out"
shift $(($# < 2 ? $# : 2))
for i in $(seq 1 "$runs"); do
  ./quickstart matrix --json "$out/run$i.json" "$@" >"$out/run$i.log" 2>&1 || true
  echo "run $i: $(tail -1 "$out/run$i.log")"
done
.venv/bin/python - "$out" "$runs" <<'PY'
import json, sys
out, runs = sys.argv[1], int(sys.argv[2])
verdicts = []
for i in range(1, runs + 1):
    cells = json.load(open(f"{out}/run{i}.json"))["cells"]
    verdicts.append({(c["strategy"], c["fault"]): c["verdict"] for c in cells})
differ = sorted(k for k in verdicts[0] if len({v.get(k) for v in verdicts}) > 1)
print(f"{len(verdicts[0])} cells x {runs} runs; cells whose verdict differed: {differ or 'none'}")
sys.exit(1 if differ else 0)
PY
