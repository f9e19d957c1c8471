-- plain.lua - wrk script for one fixed URL (healthz, nginx's static file): only adds the
-- machine-readable "BENCH" summary line that bench/run.sh parses. Keep-alive is wrk's default.

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f" ..
    " non2xx=%d sock_errors=%d\n",
    summary.requests, summary.requests / secs, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, e.status,
    e.connect + e.read + e.write + e.timeout))
end
