-- wrk: POST batches of new alerts to /ingest/v1/alerts, cycling over the tenants' tokens.
-- TOKENS_LUA names a file returning a Lua array of bearer tokens; BATCH is the alerts per request.
-- FORMAT=suricata posts Suricata EVE alert records as JSON lines to /ingest/v1/suricata instead; with HOT=1 every
-- record is one of 5 signatures on one of 4 hosts, so nearly every record merges into an open alert. With LIVE=1
-- event times advance by a second with every request of a thread, as from a sensor streaming live data (otherwise
-- they cycle through one hour, and after the first requests devices' first and last seen stop changing).
local tokens = dofile(os.getenv("TOKENS_LUA"))
local batch = tonumber(os.getenv("BATCH") or "500")
local suricata = os.getenv("FORMAT") == "suricata"
local hot = os.getenv("HOT") == "1"
local live = os.getenv("LIVE") == "1"
local start = os.time({year = 2026, month = 11, day = 29, hour = 10, min = 0, sec = 0})
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local counter = 0
failures = 0

local function eve(i)
  local sid, host
  if hot then
    sid, host = 2010781 + i % 5, i % 4
  else
    sid, host = 3000000 + (tid * 1000003 + counter * batch + i) % 90000000, i % 250
  end
  local when = live and os.date("!%Y-%m-%dT%H:%M:%S", start + counter) or
    string.format("2026-11-29T10:%02d:%02d", counter % 60, i % 60)
  return string.format(
    '{"timestamp":"%s.%06d+0000","flow_id":%d,"event_type":"alert",' ..
    '"src_ip":"203.0.113.%d","src_port":%d,"dest_ip":"10.20.%d.%d","dest_port":445,"proto":"TCP",' ..
    '"alert":{"action":"allowed","gid":1,"signature_id":%d,"rev":3,"signature":"ET POLICY bench %d",' ..
    '"category":"Potentially Bad Traffic","severity":2},"app_proto":"smb"}',
    when, (tid * 7919 + counter * 104729 + i) % 1000000, tid * 100000000 + counter * 10000 + i,
    i % 250 + 1, 40000 + i % 20000, host % 250, host % 250 + 1, sid, sid)
end

function request()
  counter = counter + 1
  local token = tokens[(counter + tid) % #tokens + 1]
  if suricata then
    local lines = {}
    for i = 1, batch do lines[i] = eve(i) end
    return wrk.format("POST", "/ingest/v1/suricata",
      {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/x-ndjson"}, table.concat(lines, "\n"))
  end
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
  io.write(string.format("%s/s: %.0f\n", suricata and "records" or "alerts", summary.requests / (summary.duration / 1e6) * batch))
  io.write(string.format("failed requests: %d of %d\n", failed, summary.requests))
  io.write(string.format("batch latency p50 %.1f ms, p99 %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
