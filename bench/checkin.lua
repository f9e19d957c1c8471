-- checkin.lua - wrk script: POST an answer to each check-in link of a list in turn, as citizens'
-- phones do (application/x-www-form-urlencoded), optionally mixing in reads of an alert's figures.
--
--   wrk -t2 -c64 -d20s --latency -s bench/checkin.lua http://127.0.0.1:PORT -- tokens.txt
--
-- tokens.txt has one "/c/TOKEN" path a line (bench_alert DB N tokens.txt writes it). Each wrk
-- thread starts at a different point of the list. done() prints one "BENCH" line.

local paths = {}
local idx = 0
local next_tid = 0
local answers = {"safe", "need_help", "not_in_area"}

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  idx = (tid or 0) * 7919 % #paths
end

function request()
  idx = idx % #paths + 1
  local body = "answer=" .. answers[idx % 3 + 1] .. "&message=bench"
  return wrk.format("POST", paths[idx], {["Content-Type"] = "application/x-www-form-urlencoded"},
                    body)
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read +
                 summary.errors.write + summary.errors.timeout
  io.write(string.format("BENCH checkins rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
                         summary.requests / (summary.duration / 1e6),
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
