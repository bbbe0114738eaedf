# Sourced by run.sh and production.sh: start processes side by side (`together_start CMD …`) and stop every one
# of them when the script ends, is interrupted or one of them exits (`together_wait`).
together_pids=()

together_stop() {
    trap - EXIT INT TERM
    kill "${together_pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap together_stop EXIT INT TERM

together_start() {
    "$@" &
    together_pids+=($!)
}

together_wait() {
    wait -n "${together_pids[@]}"
}
