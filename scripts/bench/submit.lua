-- wrk script for scripts/bench-answering.sh: POST complete it-habits submissions from the review
-- page. Every request is a new response: each carries the next attempt minted by
-- mint_attempts.py (the server seals attempts at start, so they cannot be made up here); thread
-- t of T takes lines t, t+T, t+2T, … of ATTEMPTS_FILE and wraps around when it runs out (a
-- repeated attempt is answered with its first receipt and stores nothing, which the stored count
-- shows). Environment: FORM_BODY (review form without the sealed fields), CSRF_COOKIE,
-- ATTEMPTS_FILE, WRK_THREADS (wrk's -t), SUBMIT_DELAY_MS (optional: each connection waits this
-- long between requests, so the offered rate is connections / (delay + latency) instead of "as
-- fast as the server answers"; wrk measures latency from the send, so the wait is not counted).
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  body = os.getenv("FORM_BODY")
  attempts = {}
  local step = tonumber(os.getenv("WRK_THREADS") or "1")
  local i = 0
  for line in io.lines(os.getenv("ATTEMPTS_FILE")) do
    if i % step == tid - 1 then
      table.insert(attempts, line)
    end
    i = i + 1
  end
  counter = 0
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "insikt_csrf=" .. os.getenv("CSRF_COOKIE"),
  }
end
function request()
  counter = counter % #attempts + 1
  return wrk.format("POST", "/s/it-habits", headers, body .. "&" .. attempts[counter])
end
local pace = tonumber(os.getenv("SUBMIT_DELAY_MS") or "0")
function delay()
  return pace
end
