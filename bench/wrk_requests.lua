-- wrk script for bench/http.py. Each wrk thread has one connection and its share of the requests
-- listed in a file; it times each of its requests itself and done() prints them all:
--
--   wrk -t N -c N -d 3600s -s bench/wrk_requests.lua URL -- REQUESTS_FILE BODY_FILE|- once|loop N
--
-- REQUESTS_FILE has one "METHOD PATH" per line; headers come from wrk's -H options; N, the thread
-- count, comes again as an argument (init() runs in each thread before the next is set up).
-- "loop": each thread repeats its share until -d runs out (the timed reads). "once": each thread
-- sends each of its requests once, prints "finished <thread> <µs> <its count>" and goes on with a harmless
-- read that is never timed, until the caller stops wrk with SIGINT. Stopping a thread instead
-- would leave a connection open with nothing sent on it (wrk reconnects after every answer the
-- server closes), which holds one of the server's sync workers until wrk exits.
-- Output: one "request <thread> <sent µs> <answered µs> <status>" line per timed request.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *now);
]]
local CLOCK_MONOTONIC = 1
local now_buffer = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_buffer)
  return tonumber(now_buffer.tv_sec) * 1e6 + tonumber(now_buffer.tv_nsec) / 1e3
end

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

local function read_file(path)
  local file = assert(io.open(path, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

function init(args)
  local count = tonumber(args[4])
  mine = {}
  local line_number = 0
  for line in io.lines(args[1]) do
    if line_number % count == index then
      local method, path = line:match("^(%S+)%s+(%S+)$")
      table.insert(mine, {method, path})
    end
    line_number = line_number + 1
  end
  if args[2] ~= "-" then body = read_file(args[2]) end
  loop = args[3] == "loop"
  answered, timed = 0, {}
  in_flight, finished = nil, false
end

-- One connection per thread: request() comes only after the previous answer. (wrk also calls
-- request() once on its own, before the run, to check the script: that call must not count.)
function request()
  if #mine > 0 and (loop or answered < #mine) then
    local item = mine[(answered % #mine) + 1]
    in_flight = now_us()
    return wrk.format(item[1], item[2], nil, body)
  end
  if not finished then
    finished = true
    io.write(string.format("finished %d %.0f %d\n", index, now_us(), #mine))
    io.flush()
  end
  in_flight = nil
  return wrk.format("GET", "/")
end

function response(status, headers, body_text)
  if in_flight then
    answered = answered + 1
    -- Flat array of numbers: wrk copies it to the main state for done().
    local n = #timed
    timed[n + 1], timed[n + 2], timed[n + 3] = in_flight, now_us(), status
    in_flight = nil
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    local index, timed = thread:get("index"), thread:get("timed")
    for k = 1, #timed, 3 do
      io.write(string.format("request %d %.0f %.0f %d\n", index, timed[k], timed[k + 1], timed[k + 2]))
    end
  end
end
