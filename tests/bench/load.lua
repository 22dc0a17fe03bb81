-- wrk script for one benchmark page: cycles through BENCH_PATHS with the signed-in session,
-- counts the answers that have the expected status, and prints one JSON line when done.
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS"), "%S+") do paths[#paths + 1] = p end
local method = os.getenv("BENCH_METHOD")
local body = os.getenv("BENCH_BODY")
local expect = tonumber(os.getenv("BENCH_EXPECT"))
local headers = {
  ["Cookie"] = os.getenv("BENCH_COOKIE"),
  ["X-Forwarded-Proto"] = "https",
}
if method == "POST" then
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["X-CSRFToken"] = os.getenv("BENCH_CSRF")
  headers["Origin"] = os.getenv("BENCH_ORIGIN")
  headers["Referer"] = os.getenv("BENCH_ORIGIN") .. "/"
else
  body = nil
end

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

n = 0
function request()
  n = n + 1 -- requests sent: a POST still in flight when the run stops is sent, and the server completes it
  return wrk.format(method, paths[(n + id * 7) % #paths + 1], headers, body)
end

good, other = 0, 0
function response(status, hdrs, content)
  if status == expect then good = good + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local g, o, s = 0, 0, 0
  for _, t in ipairs(threads) do
    g = g + t:get("good")
    o = o + t:get("other")
    s = s + t:get("n")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "sent": %d, "good": %d, "other": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, s, g, o, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
