-- rotate.lua - wrk script: GET each path of a query list in turn, authenticated.
--
--   BAOHO_TOKEN=... wrk -t2 -c16 -d20s --latency -s bench/rotate.lua http://127.0.0.1:PORT \
--       -- bench/out/names.tsv
--
-- The list has one request per line, "class<TAB>path[<TAB>anything]" (bench_queries writes it).
-- Each wrk thread starts at a different point of the list, so the threads do not send the same
-- query at the same moment. BAOHO_TOKEN is an API token (baoho token create). done() prints one
-- line starting with "BENCH" that bench/run.sh parses.

local paths = {}
local idx = 0
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

function init(args)
  local file = args[1]
  if file == nil then
    error("give the query list after --")
  end
  for line in io.lines(file) do
    local path = line:match("^[^\t]*\t([^\t]+)")
    if path then
      paths[#paths + 1] = path
    end
  end
  if #paths == 0 then
    error("no requests in " .. file)
  end
  idx = ((tid or 0) * 7919) % #paths
  local token = os.getenv("BAOHO_TOKEN")
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
end

function request()
  idx = idx % #paths + 1
  return wrk.format("GET", paths[idx])
end

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
