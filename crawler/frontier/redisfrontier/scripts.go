package redisfrontier

import "github.com/redis/go-redis/v9"

// The scripts run atomically on the server: no two workers lease one host
// or one URL. Every script takes the key prefix as ARGV[1] and the default
// delay in milliseconds as ARGV[2], and reads the server's clock, so that
// the workers' clocks do not matter. Every key a script names starts with
// the prefix, whose {hash tag} keeps a crawl's keys in one slot.
//
// Keys (P is the prefix):
//
//	P ready         ZSET host → when it may be leased (ms): hosts with queued URLs, not leased
//	P leased        ZSET host → lease deadline (ms)
//	P lease:HOST    HASH id, worker, at
//	P fl:HOST       HASH site 0x1f url → packed entry: the URLs its lease holds
//	P qh:HOST       LIST packed entries, high priority, FIFO
//	P qn:HOST       LIST packed entries, normal priority, FIFO
//	P qr:HOST       ZSET packed entry → due (ms): retries
//	P next          HASH host → its politeness slot (ms)
//	P delay         HASH host → its delay (ms), when set
//	P leaseseq      counter of lease IDs
//	P asked         HASH worker → when it last found no host to lease (ms)
//	P seen:SITE     SET of 16-byte URL digests: the run's seen set
//	P sitehosts:SITE SET of the hosts the run queued URLs on
//	P count:SITE    HASH pending, leased, done, retried, dropped:REASON
//	P run:SITE      HASH id, started (ms), finished
//	P seeded:SITE:RUN  the run's seed lock
//	P budget:SITE:RUN:NAME  SET of URL digests: the places taken in a budget of the run
//	P budgets:SITE  SET of the site's budget keys
//	P page:SITE     HASH url → PageState JSON
//	P revisit:SITE  ZSET url → next revisit (ms)
const lib = `
local P = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function split(s)
  local out = {}
  for f in string.gmatch(s .. '\31', '([^\31]*)\31') do out[#out + 1] = f end
  return out
end
local function delay(host)
  local d = redis.call('HGET', P .. 'delay', host)
  if d then return tonumber(d) end
  return tonumber(ARGV[2])
end
local function nextslot(host)
  return tonumber(redis.call('HGET', P .. 'next', host) or '0')
end
local function headdue(host, now)
  if redis.call('LLEN', P .. 'qh:' .. host) > 0 or redis.call('LLEN', P .. 'qn:' .. host) > 0 then
    return now
  end
  local r = redis.call('ZRANGE', P .. 'qr:' .. host, 0, 0, 'WITHSCORES')
  if #r > 0 then return tonumber(r[2]) end
  return nil
end
-- dropbudgets deletes the budgets of site's runs.
local function dropbudgets(site)
  for _, k in ipairs(redis.call('SMEMBERS', P .. 'budgets:' .. site)) do redis.call('DEL', k) end
  redis.call('DEL', P .. 'budgets:' .. site)
end
-- schedule puts a host that is not leased in the ready set, or takes it
-- out when it has nothing queued.
local function schedule(host, now)
  local h = headdue(host, now)
  if not h then
    redis.call('ZREM', P .. 'ready', host)
    return
  end
  redis.call('ZADD', P .. 'ready', math.max(h, nextslot(host)), host)
end
local function endlease(host, now)
  redis.call('DEL', P .. 'lease:' .. host)
  redis.call('ZREM', P .. 'leased', host)
  redis.call('HSET', P .. 'next', host, math.max(nextslot(host), now + delay(host)))
  schedule(host, now)
end
-- returnleased puts a host's leased URLs back at the head of its queue.
local function returnleased(host)
  local fl = redis.call('HGETALL', P .. 'fl:' .. host)
  for i = #fl, 1, -2 do
    local e = split(fl[i])
    local q = 'qn:'
    if tonumber(e[5]) >= 1 then q = 'qh:' end
    redis.call('LPUSH', P .. q .. host, fl[i])
    redis.call('HINCRBY', P .. 'count:' .. e[2], 'leased', -1)
  end
  redis.call('DEL', P .. 'fl:' .. host)
  return #fl / 2
end
-- take moves up to n of host's due URLs (due retries, then high, then
-- normal priority) from its queue to the URLs its lease holds, and
-- returns them.
local function take(host, n, now)
  local out = {}
  for _, e in ipairs(redis.call('ZRANGEBYSCORE', P .. 'qr:' .. host, '-inf', now, 'LIMIT', 0, n)) do
    redis.call('ZREM', P .. 'qr:' .. host, e)
    out[#out + 1] = e
  end
  for _, q in ipairs({'qh:', 'qn:'}) do
    if #out < n then
      local got = redis.call('LPOP', P .. q .. host, n - #out)
      if got then for _, e in ipairs(got) do out[#out + 1] = e end end
    end
  end
  for _, e in ipairs(out) do
    local f = split(e)
    redis.call('HSET', P .. 'fl:' .. host, f[2] .. '\31' .. f[1], e)
    redis.call('HINCRBY', P .. 'count:' .. f[2], 'leased', 1)
  end
  return out
end
-- enqueue queues the entries of ARGV from i on (seen key, site, host,
-- priority, packed) that are not in their site's seen set.
local function enqueue(i, now)
  local res = {}
  while i <= #ARGV do
    local sk, site, host, prio, packed = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
    i = i + 5
    if redis.call('SADD', P .. 'seen:' .. site, sk) == 1 then
      res[#res + 1] = 1
      local q = 'qn:'
      if prio == '1' then q = 'qh:' end
      redis.call('RPUSH', P .. q .. host, packed)
      redis.call('HINCRBY', P .. 'count:' .. site, 'pending', 1)
      redis.call('SADD', P .. 'sitehosts:' .. site, host)
      if not redis.call('ZSCORE', P .. 'leased', host) then
        redis.call('ZADD', P .. 'ready', 'LT', math.max(nextslot(host), now), host)
      end
    else
      res[#res + 1] = 0
    end
  end
  return res
end
`

// ARGV: P, delay, entries...
var enqueueScript = redis.NewScript(lib + `
return enqueue(3, now_ms())
`)

// ARGV: P, delay, seed lock key suffix, entries...; -1: seeded before.
var seedScript = redis.NewScript(lib + `
if not redis.call('SET', P .. 'seeded:' .. ARGV[3], '1', 'NX') then return -1 end
return enqueue(4, now_ms())
`)

// ARGV: P, delay, site → {id, started ms, resumed}
var beginScript = redis.NewScript(lib + `
local k = P .. 'run:' .. ARGV[3]
local id = redis.call('HGET', k, 'id')
if id and redis.call('HGET', k, 'finished') == '0' then
  return {tonumber(id), tonumber(redis.call('HGET', k, 'started')), 1}
end
local now = now_ms()
local nid = redis.call('HINCRBY', k, 'id', 1)
redis.call('HSET', k, 'started', now, 'finished', '0')
redis.call('DEL', P .. 'seen:' .. ARGV[3])
dropbudgets(ARGV[3])
return {nid, now, 0}
`)

// ARGV: P, delay, site, run
var finishScript = redis.NewScript(lib + `
local site = ARGV[3]
local k = P .. 'run:' .. site
if redis.call('HGET', k, 'id') ~= ARGV[4] or redis.call('HGET', k, 'finished') ~= '0' then return 0 end
redis.call('HSET', k, 'finished', '1')
local now = now_ms()
local mine = function(packed) return split(packed)[2] == site end
for _, host in ipairs(redis.call('SMEMBERS', P .. 'sitehosts:' .. site)) do
  for _, q in ipairs({'qh:', 'qn:'}) do
    local all = redis.call('LRANGE', P .. q .. host, 0, -1)
    local keep = {}
    for _, e in ipairs(all) do if not mine(e) then keep[#keep + 1] = e end end
    if #keep < #all then
      redis.call('DEL', P .. q .. host)
      for j = 1, #keep, 1000 do
        redis.call('RPUSH', P .. q .. host, unpack(keep, j, math.min(j + 999, #keep)))
      end
    end
  end
  for _, e in ipairs(redis.call('ZRANGE', P .. 'qr:' .. host, 0, -1)) do
    if mine(e) then redis.call('ZREM', P .. 'qr:' .. host, e) end
  end
  local fl = redis.call('HGETALL', P .. 'fl:' .. host)
  for j = 1, #fl, 2 do
    if mine(fl[j + 1]) then redis.call('HDEL', P .. 'fl:' .. host, fl[j]) end
  end
  if redis.call('ZSCORE', P .. 'leased', host) then
    if redis.call('HLEN', P .. 'fl:' .. host) == 0 then endlease(host, now) end
  else
    schedule(host, now)
  end
end
redis.call('DEL', P .. 'sitehosts:' .. site, P .. 'seen:' .. site)
dropbudgets(site)
redis.call('HSET', P .. 'count:' .. site, 'pending', 0, 'leased', 0)
return 1
`)

// ARGV: P, delay, worker, max, ttl ms, hosts to avoid… →
// {1, host, id, delay, at, deadline, {entries}} or {0, next ms, busy}
var leaseScript = redis.NewScript(lib + `
local now = now_ms()
for _, host in ipairs(redis.call('ZRANGEBYSCORE', P .. 'leased', '-inf', '(' .. now, 'LIMIT', 0, 64)) do
  returnleased(host)
  endlease(host, now)
end
local n = tonumber(ARGV[4])
local avoid, navoid = {}, #ARGV - 5
for i = 6, #ARGV do avoid[ARGV[i]] = true end
for _ = 1, 32 do
  local host
  for _, h in ipairs(redis.call('ZRANGEBYSCORE', P .. 'ready', '-inf', now, 'LIMIT', 0, navoid + 1)) do
    if not avoid[h] then host = h break end
  end
  if not host then break end
  local out = take(host, n, now)
  if #out == 0 then
    schedule(host, now)
  else
    local id = redis.call('INCR', P .. 'leaseseq')
    local d = delay(host)
    local deadline = now + tonumber(ARGV[5])
    redis.call('HSET', P .. 'lease:' .. host, 'id', id, 'worker', ARGV[3], 'at', now)
    redis.call('ZADD', P .. 'leased', deadline, host)
    redis.call('ZREM', P .. 'ready', host)
    redis.call('HSET', P .. 'next', host, now + d)
    return {1, host, id, d, now, deadline, out}
  end
end
redis.call('HSET', P .. 'asked', ARGV[3], now)
local nx = redis.call('ZRANGE', P .. 'ready', 0, navoid, 'WITHSCORES')
local at, busy = 0, redis.call('ZCARD', P .. 'leased')
for i = 1, #nx, 2 do
  if avoid[nx[i]] then
    busy = busy + 1
  elseif at == 0 then
    at = tonumber(nx[i + 1])
  end
end
return {0, at, busy}
`)

// ARGV: P, delay, host, id, n, ttl ms → {deadline ms, entries, since when
// (ms) the longest-waiting ready host not leased is ready, 0: none, when
// (ms) another worker last found no host to lease, 0: never}, or {0} when
// lost
var extendScript = redis.NewScript(lib + `
local host = ARGV[3]
if redis.call('HGET', P .. 'lease:' .. host, 'id') ~= ARGV[4] then return {0} end
local now = now_ms()
local n = tonumber(ARGV[5])
local out = take(host, n, now)
if #out > 0 then redis.call('HSET', P .. 'next', host, now + delay(host)) end
local deadline = now + tonumber(ARGV[6])
redis.call('ZADD', P .. 'leased', 'XX', deadline, host)
local w = redis.call('ZRANGEBYSCORE', P .. 'ready', '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1)
local since = 0
if #w > 0 then since = tonumber(w[2]) end
local holder, asked = redis.call('HGET', P .. 'lease:' .. host, 'worker'), 0
local a = redis.call('HGETALL', P .. 'asked')
for i = 1, #a, 2 do
  if a[i] ~= holder and tonumber(a[i + 1]) > asked then asked = tonumber(a[i + 1]) end
end
return {deadline, out, since, asked}
`)

// ARGV: P, delay, host, id, ttl ms → deadline ms, or 0 when lost
var renewScript = redis.NewScript(lib + `
local host = ARGV[3]
if redis.call('HGET', P .. 'lease:' .. host, 'id') ~= ARGV[4] then return 0 end
local deadline = now_ms() + tonumber(ARGV[5])
redis.call('ZADD', P .. 'leased', 'XX', deadline, host)
return deadline
`)

// ARGV: P, delay, n, then per outcome: host, id, url, site, nrec, then
// nrec × (url, json, revisit ms or "") → {0|1 per outcome}
var doneScript = redis.NewScript(lib + `
local now = now_ms()
local i = 4
local res = {}
for o = 1, tonumber(ARGV[3]) do
  local host, id, url, site, nrec = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], tonumber(ARGV[i + 4])
  i = i + 5
  local ok = 0
  if host ~= '' and redis.call('HGET', P .. 'lease:' .. host, 'id') == id then
    local e = redis.call('HGET', P .. 'fl:' .. host, site .. '\31' .. url)
    if e then
      redis.call('HDEL', P .. 'fl:' .. host, site .. '\31' .. url)
      local s = split(e)[2]
      redis.call('HINCRBY', P .. 'count:' .. s, 'pending', -1)
      redis.call('HINCRBY', P .. 'count:' .. s, 'leased', -1)
      redis.call('HINCRBY', P .. 'count:' .. s, 'done', 1)
      ok = 1
      if redis.call('HLEN', P .. 'fl:' .. host) == 0 then endlease(host, now) end
    end
  end
  for _ = 1, nrec do
    local u, js, due = ARGV[i], ARGV[i + 1], ARGV[i + 2]
    i = i + 3
    redis.call('HSET', P .. 'page:' .. site, u, js)
    if due ~= '' then
      redis.call('ZADD', P .. 'revisit:' .. site, due, u)
    else
      redis.call('ZREM', P .. 'revisit:' .. site, u)
    end
  end
  res[o] = ok
end
return res
`)

// ARGV: P, delay, host, id, url, what ("retry" or "drop"), at ms or
// reason, site → 1, or 0 when lost
var finishOneScript = redis.NewScript(lib + `
local host, field = ARGV[3], ARGV[8] .. '\31' .. ARGV[5]
if redis.call('HGET', P .. 'lease:' .. host, 'id') ~= ARGV[4] then return 0 end
local e = redis.call('HGET', P .. 'fl:' .. host, field)
if not e then return 0 end
redis.call('HDEL', P .. 'fl:' .. host, field)
local f = split(e)
local site = f[2]
redis.call('HINCRBY', P .. 'count:' .. site, 'leased', -1)
if ARGV[6] == 'retry' then
  f[6] = tostring(tonumber(f[6]) + 1)
  redis.call('ZADD', P .. 'qr:' .. host, tonumber(ARGV[7]), table.concat(f, '\31'))
  redis.call('HINCRBY', P .. 'count:' .. site, 'retried', 1)
else
  redis.call('HINCRBY', P .. 'count:' .. site, 'pending', -1)
  redis.call('HINCRBY', P .. 'count:' .. site, 'dropped:' .. ARGV[7], 1)
end
local now = now_ms()
if redis.call('HLEN', P .. 'fl:' .. host) == 0 then endlease(host, now) end
return 1
`)

// ARGV: P, delay, host, id → 1, or 0 when not held
var releaseScript = redis.NewScript(lib + `
local host = ARGV[3]
if redis.call('HGET', P .. 'lease:' .. host, 'id') ~= ARGV[4] then return 0 end
local now = now_ms()
returnleased(host)
endlease(host, now)
return 1
`)

// ARGV: P, delay, site, run, budget, url digest, limit → 1: the URL holds a
// place, 0: none left (or the run is over)
var claimScript = redis.NewScript(lib + `
local site = ARGV[3]
local rk = P .. 'run:' .. site
if redis.call('HGET', rk, 'id') ~= ARGV[4] or redis.call('HGET', rk, 'finished') ~= '0' then return 0 end
local k = P .. 'budget:' .. site .. ':' .. ARGV[4] .. ':' .. ARGV[5]
if redis.call('SISMEMBER', k, ARGV[6]) == 1 then return 1 end
if redis.call('SCARD', k) >= tonumber(ARGV[7]) then return 0 end
redis.call('SADD', k, ARGV[6])
redis.call('SADD', P .. 'budgets:' .. site, k)
return 1
`)
