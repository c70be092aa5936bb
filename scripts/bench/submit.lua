-- wrk script for scripts/bench-answering.sh: POST complete it-habits submissions from the review
-- page. Every request is a new response: the 32-hex attempt key is RUN_ID (8 hex) + wrk thread
-- number (8 hex) + a per-thread counter (16 hex). Environment: FORM_BODY (review form without
-- `attempt`), CSRF_COOKIE, RUN_ID (8 hex digits, different for every wrk run on one database),
-- SUBMIT_DELAY_MS (optional: each connection waits this long between requests, so the offered rate
-- is connections / (delay + latency) instead of "as fast as the server answers"; wrk measures
-- latency from the send, so the wait is not counted).
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  counter = 0
  body = os.getenv("FORM_BODY")
  prefix = os.getenv("RUN_ID") .. string.format("%08x", tid)
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "insikt_csrf=" .. os.getenv("CSRF_COOKIE"),
  }
end
function request()
  counter = counter + 1
  return wrk.format("POST", "/s/it-habits", headers,
    body .. "&attempt=" .. prefix .. string.format("%016x", counter))
end
local pace = tonumber(os.getenv("SUBMIT_DELAY_MS") or "0")
function delay()
  return pace
end
