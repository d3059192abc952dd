-- One wrk script for every scenario of scripts/bench.sh; BENCH_SCENARIO picks what each request is.
-- Environment (set by scripts/bench.sh): BENCH_KEY, BENCH_IDS (file of user ids), BENCH_FRAGMENTS
-- (file of search fragments), BENCH_CURSORS (file of nextCursor values), BENCH_GROUP (a group id), BENCH_ROLE (a role id), BENCH_SCENARIO.
local function read_lines(path)
  local lines = {}
  local file = io.open(path, "r")
  if file then
    for line in file:lines() do
      if #line > 0 then lines[#lines + 1] = line end
    end
    file:close()
  end
  return lines
end

local key = os.getenv("BENCH_KEY")
local scenario = os.getenv("BENCH_SCENARIO")
local ids = read_lines(os.getenv("BENCH_IDS"))
local fragments = read_lines(os.getenv("BENCH_FRAGMENTS"))
local cursors = read_lines(os.getenv("BENCH_CURSORS") or "")
local group = os.getenv("BENCH_GROUP")
local role = os.getenv("BENCH_ROLE")
local counter = 0
local thread_tag = "0"
local joined = {}

local headers = { ["apikey"] = key, ["Accept"] = "application/json", ["Content-Type"] = "application/json" }
-- No key: the bare framework's routes, and a 404 that costs the middleware chain but no database.
local keyless = { ["Accept"] = "application/json" }

local function random_id()
  return ids[math.random(1, #ids)]
end

-- Each thread gets its own number (for unique emails) and its own random sequence.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  thread_tag = tostring(thread_number) .. "-" .. tostring(os.time())
  math.randomseed(os.time() * 100 + thread_number)
end

function request()
  counter = counter + 1
  if scenario == "health" then
    return wrk.format("GET", "/health", headers)
  elseif scenario == "bare_static" then
    return wrk.format("GET", "/", keyless)
  elseif scenario == "bare_user" then
    return wrk.format("GET", "/user", keyless)
  elseif scenario == "not_found" then
    return wrk.format("GET", "/no/such/route", keyless)
  elseif scenario == "list_active" then
    return wrk.format("GET", "/tenants/users?filter[status][eq]=active", headers)
  elseif scenario == "create_1" then
    return wrk.format("POST", "/tenants/users", headers,
      string.format('{"email":"one.%s.%d@load.example","groups":[]}', thread_tag, counter))
  elseif scenario == "get_user" then
    return wrk.format("GET", "/tenants/users/" .. random_id(), headers)
  elseif scenario == "refuse_wrong_secret" or scenario == "refuse_unknown_prefix" then
    return wrk.format("GET", "/tenants/users", headers)
  elseif scenario == "list_default" then
    return wrk.format("GET", "/tenants/users", headers)
  elseif scenario == "list_sorted" then
    return wrk.format("GET", "/tenants/users?limit=100&sort=-lastConnection&offset=" .. (math.random(0, 50) * 100), headers)
  elseif scenario == "search" then
    return wrk.format("GET", "/tenants/users?limit=20&search=" .. fragments[math.random(1, #fragments)], headers)
  elseif scenario == "group_filter" then
    return wrk.format("GET", "/tenants/users?limit=50&sort=email&filter[groups.id][eq]=" .. group, headers)
  elseif scenario == "deep_page" then
    return wrk.format("GET", "/tenants/users?offset=" .. (900000 + math.random(0, 1000)), headers)
  elseif scenario == "deep_cursor" then
    return wrk.format("GET", "/tenants/users?after=" .. cursors[math.random(1, #cursors)], headers)
  elseif scenario == "create_100" then
    local users = {}
    for i = 1, 100 do
      users[i] = string.format('{"email":"bench.%s.%d.%d@load.example","groups":[]}', thread_tag, counter, i)
    end
    return wrk.format("POST", "/tenants/users", headers, "[" .. table.concat(users, ",") .. "]")
  elseif scenario == "patch_roles" then
    local body
    if counter % 2 == 0 then
      body = '{"addedRoles":["' .. role .. '"],"removedRoles":[]}'
    else
      body = '{"addedRoles":[],"removedRoles":["' .. role .. '"]}'
    end
    return wrk.format("PATCH", "/tenants/users/" .. random_id() .. "/roles", headers, body)
  elseif scenario == "join_leave" then
    -- Joins walk this thread's share of the ids; a leave is for the user joined 32 requests earlier,
    -- whose join has almost always been answered by then. About once in 10,000 requests it has not
    -- (the thread's other connections went on while that join waited), and the leave is rightly 404.
    if #joined > 32 and counter % 2 == 0 then
      local id = table.remove(joined, 1)
      return wrk.format("DELETE", "/tenants/users/" .. id .. "/groups/" .. group, headers)
    end
    -- Thread k takes ids k, k+2, k+4, ... (wrk runs 2 threads), so threads never share a user.
    next_join = next_join or thread_number
    local id = ids[(next_join - 1) % #ids + 1]
    next_join = next_join + 2
    joined[#joined + 1] = id
    return wrk.format("POST", "/tenants/users/" .. id .. "/groups", headers, '{"groupId":"' .. group .. '"}')
  end
end

function done(summary, latency, requests)
  io.write(string.format("BENCH_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status,
    summary.errors.status))
end
