-- wrk: POST batches of new alerts to /ingest/v1/alerts, cycling over the tenants' tokens.
-- TOKENS_LUA names a file returning a Lua array of bearer tokens; BATCH is the alerts per request.
local tokens = dofile(os.getenv("TOKENS_LUA"))
local batch = tonumber(os.getenv("BATCH") or "500")
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
  local token = tokens[(counter + tid) % #tokens + 1]
  local parts = {}
  for i = 1, batch do
    parts[i] = string.format(
      '{"sourceId":"wrk-%d-%d-%d-%d","title":"Bench detection %d","severity":"Medium","category":"Execution",' ..
      '"device":{"hostname":"host-%d","domain":"bench.example"},"evidence":[{"entityType":"Ip","ipAddress":"10.0.%d.%d"}]}',
      tid, counter, i, os.time(), i % 50, i % 50, i % 250, counter % 250)
  end
  return wrk.format("POST", "/ingest/v1/alerts",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"},
    "[" .. table.concat(parts, ",") .. "]")
end

function response(status, headers, body)
  if status ~= 200 then failures = failures + 1 end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + thread:get("failures") end
  io.write(string.format("alerts/s: %.0f\n", summary.requests / (summary.duration / 1e6) * batch))
  io.write(string.format("failed requests: %d of %d\n", failed, summary.requests))
  io.write(string.format("batch latency p50 %.1f ms, p99 %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
