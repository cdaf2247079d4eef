-- wrk script: POST the JSON body given in BENCH_BODY, then print one
-- machine-readable line that bench/load.py parses.
--
-- BENCH_HEADERS (optional) adds headers, one "Name: value" a line.
-- BENCH_KEY_PREFIX (optional) gives every request its own Idempotency-Key,
-- PREFIX-THREAD-N. Only then does wrk run Lua per request (one counter and
-- one wrk.format); without it the request is built once and wrk spends its
-- time on the sockets, not in the interpreter.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_BODY") or "{}"
for name, value in string.gmatch(os.getenv("BENCH_HEADERS") or "", "([^:\n]+): ([^\n]*)") do
  wrk.headers[name] = value
end

local key_prefix = os.getenv("BENCH_KEY_PREFIX")
if key_prefix and key_prefix ~= "" then
  local threads = 0
  function setup(thread)
    threads = threads + 1
    thread:set("thread_number", threads)
  end

  local sent = 0
  function request()
    sent = sent + 1
    wrk.headers["Idempotency-Key"] = key_prefix .. "-" .. thread_number .. "-" .. sent
    return wrk.format()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
