-- checkin_mixed.lua - wrk script: citizens' check-in answers (POST /c/{token}, as a phone's
-- form sends them) mixed with officers' reads of the crisis's accountability figures
-- (GET /api/v1/crises/{id}/accountability with "Authorization: Bearer $BAOHO_TOKEN").
--
--   wrk -t2 -c64 -d10s --latency -s bench/checkin_mixed.lua http://127.0.0.1:PORT -- \
--       tokens.txt READS_PERCENT [ACCOUNTABILITY_PATH]
--
-- tokens.txt has one "/c/TOKEN" path a line (bench_alert DB N tokens.txt writes it). Of every
-- 100 requests of a wrk thread, READS_PERCENT are reads (0: check-ins only, 50: every other
-- request); reads need ACCOUNTABILITY_PATH and BAOHO_TOKEN. With CHECKIN_KEYS=1 in the
-- environment every answer carries its own idempotency_key field, as the check-in page's form
-- sends it (the answer and its page are then also kept under the key). Each wrk thread starts at a different
-- point of the list. done() prints one "BENCH" line with wrk's counters (non2xx counts every
-- answer >= 400; a 3xx or 2xx is a success).

local paths = {}
local idx = 0
local n = 0
local reads_pct = 0
local acc_path = nil
local auth = nil
local next_tid = 0
local answers = {"safe", "need_help", "not_in_area"}
local form = {["Content-Type"] = "application/x-www-form-urlencoded"}
local keys = os.getenv("CHECKIN_KEYS") == "1"
local nkey = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  reads_pct = tonumber(args[2] or "0")
  acc_path = args[3]
  if reads_pct > 0 then
    assert(acc_path, "READS_PERCENT > 0 needs ACCOUNTABILITY_PATH")
    local token = os.getenv("BAOHO_TOKEN")
    assert(token, "set BAOHO_TOKEN for the reads")
    auth = {["Authorization"] = "Bearer " .. token}
  end
  idx = (tid or 0) * 7919 % #paths
  math.randomseed(os.time() * 100 + (tid or 0))
end

function request()
  n = n + 1
  -- Spread the reads evenly: request n is a read when the running share falls behind.
  if reads_pct > 0 and math.floor(n * reads_pct / 100) > math.floor((n - 1) * reads_pct / 100) then
    return wrk.format("GET", acc_path, auth)
  end
  idx = idx % #paths + 1
  local body = "answer=" .. answers[idx % 3 + 1] .. "&message=bench"
  if keys then
    nkey = nkey + 1
    body = body .. string.format("&idempotency_key=b%d-%d-%d", tid or 0, nkey, math.random(1e9))
  end
  return wrk.format("POST", paths[idx], form, body)
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f" ..
    " non2xx=%d sock_errors=%d\n",
    summary.requests, summary.requests / secs, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000, e.status,
    e.connect + e.read + e.write + e.timeout))
end
