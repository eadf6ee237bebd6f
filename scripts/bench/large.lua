-- wrk: GET $QUERY as every tenant in turn, for responses of many megabytes (the SIEM API's 10,000-detection page).
-- Unlike list.lua it defines no response() hook, so wrk does not copy each body into Lua: the client's share of the
-- two cores stays small. Failures are wrk's own count of non-2xx answers.
local query = os.getenv("QUERY")
local tokens = dofile(os.getenv("TOKENS_LUA"))
local counter = 0

function request()
  counter = counter + 1
  return wrk.format("GET", query, {["Authorization"] = "Bearer " .. tokens[counter % #tokens + 1]})
end

function done(summary, latency, requests)
  io.write(string.format("requests/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("failed requests: %d of %d\n", summary.errors.status, summary.requests))
  io.write(string.format("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
