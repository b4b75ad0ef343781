-- Admission of one batch of validated readings (device-firmware-bridge/src/admission.ts),
-- atomically: per device, dedupe by content (seq + ed25519 signature), seq order, token-bucket
-- rate limit; for the batch, backpressure on the prove queue's wait list. Each admitted reading
-- joins its device's reading index (sdk/src/pipeline-status.ts: score 0, member
-- `<seq zero-padded to 20 digits>:<now>`), capped to the newest entries.
-- KEYS: wait list, then per item: device record, rate bucket, prove job hash, reading index.
-- ARGV: now (ms), bucket capacity, refill per ms, max waiting, bucket TTL (ms), index cap,
-- index TTL (ms), then per item: seq, ed25519 signature (hex). Returns per item: decision,
-- prev seq ('' for none).
-- Decisions: OK, DUP (same content, job stored), DUP_ADD (same content, job missing),
-- SEQ_CONFLICT, REPLAYED_SEQ, RATE_LIMITED, BACKPRESSURE.
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
local budget = -1
if limit > 0 then budget = limit - redis.call('LLEN', KEYS[1]) end
local n = (#KEYS - 1) / 4
local out = {}
for i = 1, n do
  local dk = KEYS[4 * i - 2]
  local rk = KEYS[4 * i - 1]
  local jk = KEYS[4 * i]
  local ik = KEYS[4 * i + 1]
  local seq = ARGV[6 + 2 * i]
  local sig = ARGV[7 + 2 * i]
  local r = 'OK'
  local prev = ''
  local last = redis.call('HMGET', dk, 'seq', 'sig', 'prev')
  if last[1] then
    if last[1] == seq then
      if last[2] == sig then
        prev = last[3] or ''
        if redis.call('EXISTS', jk) == 1 then r = 'DUP' else r = 'DUP_ADD' end
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
    local b = redis.call('HMGET', rk, 't', 'ts')
    local tokens = tonumber(b[1]) or cap
    local ts = tonumber(b[2]) or now
    if now > ts then tokens = math.min(cap, tokens + (now - ts) * refill) end
    if tokens < 1 then r = 'RATE_LIMITED' else tokens = tokens - 1 end
    redis.call('HSET', rk, 't', tostring(tokens), 'ts', tostring(math.max(now, ts)))
    redis.call('PEXPIRE', rk, ttl)
  end
  if r == 'OK' and budget >= 0 then
    if budget <= 0 then r = 'BACKPRESSURE' else budget = budget - 1 end
  end
  if r == 'OK' then
    redis.call('HSET', dk, 'seq', seq, 'sig', sig, 'prev', prev)
    redis.call('ZADD', ik, 0, string.rep('0', 20 - #seq) .. seq .. ':' .. ARGV[1])
    redis.call('ZREMRANGEBYRANK', ik, 0, -icap - 1)
    redis.call('PEXPIRE', ik, ittl)
  end
  out[2 * i - 1] = r
  out[2 * i] = prev
end
return out
