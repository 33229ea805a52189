-- wrk script of bench/intake.py: POST /api/v1/reports, each request with its own Idempotency-Key;
-- counts the answers by status and keeps the tracking number of every 201, which done() writes to
-- the file ADUAN_BENCH_OUT with wrk's duration and latency percentiles (bench/intake.py checks that
-- every answered report is in the database).

local body = os.getenv("ADUAN_BENCH_BODY")
local prefix = os.getenv("ADUAN_BENCH_PREFIX") or "wrk"
local started = 0
local threads = {}

function setup(thread)
  started = started + 1
  thread:set("id", started)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  numbers = {}
  sent = 0
end

function request()
  sent = sent + 1
  return wrk.format("POST", "/api/v1/reports", {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = prefix .. "-" .. id .. "-" .. sent,
  }, body)
end

function response(status, headers, answer)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    numbers[#numbers + 1] = answer:match('"tracking_number": "([^"]+)"')
  end
end

function done(summary, latency, requests)
  local out = io.open(os.getenv("ADUAN_BENCH_OUT"), "w")
  out:write(string.format("duration_us %d\n", summary.duration))
  out:write(string.format("p50_us %d\n", latency:percentile(50)))
  out:write(string.format("p95_us %d\n", latency:percentile(95)))
  out:write(string.format("max_us %d\n", latency.max))
  local e = summary.errors
  out:write(string.format("socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      out:write(string.format("status %d %d\n", code, count))
    end
    for _, number in ipairs(thread:get("numbers")) do
      out:write("number " .. number .. "\n")
    end
  end
  out:close()
end
