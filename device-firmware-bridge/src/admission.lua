-- Admission of one batch of validated readings into the prove queue
-- (device-firmware-bridge/src/admission.ts), atomically: per device, dedupe by content (seq +
-- ed25519 signature), seq order, token-bucket rate limit; for the batch, backpressure on the
-- prove queue's wait list. Each admitted reading joins its device's reading index
-- (sdk/src/pipeline-status.ts: score 0, member `<seq zero-padded to 20 digits>:<now>`), capped
-- to the newest entries, and its prove job is stored the way BullMQ's own addStandardJob stores
-- a job without parent, delay, priority or deduplication (job hash, `id` counter, `added` and
-- `waiting` events, wait (or paused) list, worker marker); a job that exists is kept as it is.
-- KEYS: the queue's wait, paused, meta, id, active, events, marker; then per item: device
-- record, rate bucket, prove job hash, reading index.
-- ARGV: now (ms), bucket capacity, refill per ms, max waiting, bucket TTL (ms), index cap,
-- index TTL (ms), job name; then per item: seq, ed25519 signature (hex), job id, job data up to
-- its prevSeq value (JSON, completed here), job options (JSON).
-- Returns per item: decision, prev seq ('' for none).
-- Decisions: OK, DUP (same content, job stored), DUP_ADD (same content, its job was missing and
-- is stored now), SEQ_CONFLICT, REPLAYED_SEQ, RATE_LIMITED, BACKPRESSURE.
local rcall = redis.call
local function gt(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
local now = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local refill = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local icap = tonumber(ARGV[6])
local ittl = tonumber(ARGV[7])
local name = ARGV[8]
local waitKey, pausedKey, metaKey, idKey, activeKey, eventsKey, markerKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]

-- The queue's state, as BullMQ's getOrSetMaxEvents and getTargetQueueList read it.
local maxEvents = rcall('HGET', metaKey, 'opts.maxLenEvents')
if not maxEvents then
  maxEvents = 10000
  rcall('HSET', metaKey, 'opts.maxLenEvents', maxEvents)
end
local target, pausedOrMaxed = waitKey, false
local q = rcall('HMGET', metaKey, 'paused', 'concurrency')
if q[1] then
  target, pausedOrMaxed = pausedKey, true
elseif q[2] and rcall('LLEN', activeKey) >= tonumber(q[2]) then
  pausedOrMaxed = true
end
local stored = false
local function enqueue(jk, jobId, data, opts)
  if rcall('EXISTS', jk) == 1 then return end
  rcall('INCR', idKey)
  rcall('HMSET', jk, 'name', name, 'data', data, 'opts', opts, 'timestamp', ARGV[1],
    'delay', 0, 'priority', 0)
  rcall('XADD', eventsKey, '*', 'event', 'added', 'jobId', jobId, 'name', name)
  rcall('LPUSH', target, jobId)
  rcall('XADD', eventsKey, 'MAXLEN', '~', maxEvents, '*', 'event', 'waiting', 'jobId', jobId)
  stored = true
end

local budget = -1
if limit > 0 then budget = limit - rcall('LLEN', waitKey) end
local n = (#KEYS - 7) / 4
local out = {}
for i = 1, n do
  local dk = KEYS[4 * i + 4]
  local rk = KEYS[4 * i + 5]
  local jk = KEYS[4 * i + 6]
  local ik = KEYS[4 * i + 7]
  local a = 5 * i + 4
  local seq = ARGV[a]
  local sig = ARGV[a + 1]
  local r = 'OK'
  local prev = ''
  local last = rcall('HMGET', dk, 'seq', 'sig', 'prev')
  if last[1] then
    if last[1] == seq then
      if last[2] == sig then
        prev = last[3] or ''
        if rcall('EXISTS', jk) == 1 then r = 'DUP' else r = 'DUP_ADD' end
      else
        r = 'SEQ_CONFLICT'
      end
    elseif gt(seq, last[1]) then
      prev = last[1]
    else
      r = 'REPLAYED_SEQ'
    end
  end
  if r == 'OK' and cap > 0 then
    local b = rcall('HMGET', rk, 't', 'ts')
    local tokens = tonumber(b[1]) or cap
    local ts = tonumber(b[2]) or now
    if now > ts then tokens = math.min(cap, tokens + (now - ts) * refill) end
    if tokens < 1 then r = 'RATE_LIMITED' else tokens = tokens - 1 end
    rcall('HSET', rk, 't', tostring(tokens), 'ts', tostring(math.max(now, ts)))
    rcall('PEXPIRE', rk, ttl)
  end
  if r == 'OK' and budget >= 0 then
    if budget <= 0 then r = 'BACKPRESSURE' else budget = budget - 1 end
  end
  if r == 'OK' then
    rcall('HSET', dk, 'seq', seq, 'sig', sig, 'prev', prev)
    rcall('ZADD', ik, 0, string.rep('0', 20 - #seq) .. seq .. ':' .. ARGV[1])
    rcall('ZREMRANGEBYRANK', ik, 0, -icap - 1)
    rcall('PEXPIRE', ik, ittl)
  end
  if r == 'OK' or r == 'DUP_ADD' then
    -- prev is '' or a decimal seq this script stored: the JSON value is null or that string.
    local prevJson = 'null'
    if prev ~= '' then prevJson = '"' .. prev .. '"' end
    enqueue(jk, ARGV[a + 2], ARGV[a + 3] .. prevJson .. '}', ARGV[a + 4])
  end
  out[2 * i - 1] = r
  out[2 * i] = prev
end
if stored and not pausedOrMaxed then rcall('ZADD', markerKey, 0, '0') end
return out
