# Sourced by bench/run.sh and bench/soak.sh: builds the hanoverd under test into its own
# directory, so that dist/ is left alone.
#   build_under_test OUT   # the working tree, or the commit in $BENCH_SOURCE (e.g. HEAD)
# Sets UNDER_TEST_CLI (its dist/cli.js) and UNDER_TEST_REV (what was built, for the results).
build_under_test() {
  local out=$1 source=${BENCH_SOURCE:-worktree} rev
  rm -rf "$out" && mkdir -p "$out"
  if [ "$source" = worktree ]; then
    cp -r src tsconfig.json package.json "$out"/
    rev="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src 2>/dev/null || echo '+uncommitted src changes')"
  else
    git archive "$source" src tsconfig.json package.json | tar -x -C "$out"
    rev="$(git rev-parse --short "$source")"
  fi
  log "building hanoverd ($source: $rev)"
  npx --no-install tsc -p "$out/tsconfig.json" || { log "hanoverd does not build from $source; try BENCH_SOURCE=HEAD"; exit 1; }
  UNDER_TEST_CLI="$(pwd)/$out/dist/cli.js"
  UNDER_TEST_REV="$source $rev"
}
