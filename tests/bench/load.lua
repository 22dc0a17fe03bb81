-- wrk script for one benchmark page: cycles through BENCH_PATHS with the signed-in session,
-- counts the answers that have the expected status, and prints one JSON line when done.
-- With BENCH_LIST, a file of "path cookie" lines: each request takes the next path with its own session.
local paths, cookies = {}, {}
local list = os.getenv("BENCH_LIST") or ""
if list ~= "" then
  for line in io.lines(list) do
    local p, c = string.match(line, "^(%S+)%s+(.+)$")
    paths[#paths + 1] = p
    cookies[#cookies + 1] = c
  end
else
  for p in string.gmatch(os.getenv("BENCH_PATHS"), "%S+") do paths[#paths + 1] = p end
end
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

-- With BENCH_PAGE_SECONDS, the page is requested for that long only; then each connection asks
-- for /healthz instead, so every request to the page is answered before wrk stops (the write check).
local page_seconds = tonumber(os.getenv("BENCH_PAGE_SECONDS") or "")
local probe = wrk.format("GET", "/healthz", { ["X-Forwarded-Proto"] = "https" })
local stop_at = nil
function init(args)
  if page_seconds then stop_at = os.time() + page_seconds end
end

n = 0 -- requests to the page sent (one still in flight when wrk stops is sent but never answered)
function request()
  if stop_at and os.time() >= stop_at then return probe end
  n = n + 1
  local i = (n + id * math.floor(#paths / 2)) % #paths + 1  -- the two threads start half the list apart
  if #cookies > 0 then headers["Cookie"] = cookies[i] end
  return wrk.format(method, paths[i], headers, body)
end

good, other = 0, 0
function response(status, hdrs, content)
  if stop_at and status == 200 and string.sub(content, 1, 15) == '{"status": "ok"' then return end
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
