-- wrk: GET $QUERY (default /api/alerts?$top=100) as every tenant in turn. TOKENS_LUA names a file returning the tokens.
local query = os.getenv("QUERY") or "/api/alerts?$top=100"
local tokens = dofile(os.getenv("TOKENS_LUA"))
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local counter = 0
failures = 0

function request()
  counter = counter + 1
  return wrk.format("GET", query, {["Authorization"] = "Bearer " .. tokens[(counter + tid) % #tokens + 1]})
end

function response(status, headers, body)
  if status ~= 200 then failures = failures + 1 end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + thread:get("failures") end
  io.write(string.format("requests/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("failed requests: %d of %d\n", failed, summary.requests))
  io.write(string.format("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
