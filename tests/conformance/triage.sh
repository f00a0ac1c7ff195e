#!/usr/bin/env bash
# Runs the differential conformance suite against a gofront frontend image and prints, per case,
# whether gofront matches the stock frontend. The known-gaps list is ignored (every case is judged
# strictly), so the output is what tests/conformance/KNOWN_GAPS should contain.
#
# Usage: tests/conformance/triage.sh [IMAGE]          (default: $GOFRONT_IMAGE or gofront:dev)
#        TRIAGE_FILTER=copy_ tests/conformance/triage.sh   only cases whose name contains copy_
# Needs: Docker with the test bed images (scripts/test.sh) and the frontend image
#        (scripts/frontend-image.sh IMAGE). Use IMAGE=stock to validate the cases stock-vs-stock.
# Output: "PASS <case>" / "FAIL <case>" lines, a summary, and a KNOWN_GAPS draft for the failures
#        (the reason column says "TODO: reason"; edit it before committing). Full log in $OUT.
set -uo pipefail
cd "$(dirname "$0")/../.."
IMAGE=${1:-${GOFRONT_IMAGE:-gofront:dev}}
OUT=${OUT:-target/conformance-triage.log}
mkdir -p "$(dirname "$OUT")"

if [ "$IMAGE" = stock ]; then
  export GOFRONT_CONFORMANCE_FRONTEND=stock
else
  export GOFRONT_IMAGE=$IMAGE
  docker image inspect "$IMAGE" >/dev/null 2>&1 \
    || { echo "frontend image $IMAGE not found; build it with scripts/frontend-image.sh $IMAGE" >&2; exit 2; }
fi
export GOFRONT_CONFORMANCE_IGNORE_GAPS=1 RUST_BACKTRACE=0

start=$SECONDS
cargo test --test conformance -- --test-threads="${THREADS:-2}" ${TRIAGE_FILTER:+"$TRIAGE_FILTER"} >"$OUT" 2>&1
rc=$?
if [ "$IMAGE" != stock ] && [ -z "${TRIAGE_FILTER:-}" ]; then
  # The LLB digest test (tests/llb_digests.rs) honours KNOWN_GAPS under the name llb_digests.
  cargo test --test llb_digests >>"$OUT" 2>&1
  if grep -q '^test gofront_llb_digests_equal_daemon_vertex_digests \.\.\. ok$' "$OUT"; then
    LLB_RESULT="PASS llb_digests"
  else
    LLB_RESULT="FAIL llb_digests"
  fi
fi
echo "frontend: $IMAGE   ($((SECONDS - start)) s, log: $OUT)"

# Only the per-case tests (the two structural tests and the harness self-test are not cases).
results=$(grep -E '^test [a-z0-9_]+ \.\.\. (ok|FAILED)$' "$OUT" \
  | grep -vE '^test (every_case_directory_is_declared|case_specs_and_known_gaps_are_valid|harness_[a-z_]+) ' \
  | grep -vE '^test (gofront_llb_digests_equal_daemon_vertex_digests|stock_rawjson_reports_step_vertices|definition_decoder_[a-z_]+|support::[a-z_:]+) ' \
  | sed -E 's/^test ([a-z0-9_]+) \.\.\. ok$/PASS \1/; s/^test ([a-z0-9_]+) \.\.\. FAILED$/FAIL \1/' | sort -k2)
if [ -n "${LLB_RESULT:-}" ]; then results=$(printf '%s\n%s' "$results" "$LLB_RESULT"); fi
if [ -z "$results" ]; then
  echo "no case results found (cargo test exit $rc); see $OUT" >&2
  tail -n 30 "$OUT" >&2
  exit 2
fi
echo "$results"
pass=$(grep -c '^PASS' <<<"$results")
fail=$(grep -c '^FAIL' <<<"$results")
echo "summary: $pass passed, $fail failed, $((pass + fail)) cases"
if [ "$fail" -gt 0 ]; then
  echo
  echo "# KNOWN_GAPS draft (first line of each failure in $OUT):"
  for c in $(grep '^FAIL' <<<"$results" | awk '{print $2}'); do
    why=$(grep -m1 -E "^(MISMATCH $c: |thread .$c. )" "$OUT" | sed -E "s/^MISMATCH $c: //" | cut -c1-160)
    echo "$c TODO: ${why:-see log}"
  done
fi
