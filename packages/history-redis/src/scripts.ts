// The Lua scripts: every change to the shared state runs inside one of them, so each merge is
// atomic on the server and counters are increments (HINCRBY), never a value the client computed.
// The merge rules are those of @ctd/history's `applyDelta` (state.ts), op for op: counters add,
// times take the max (first seen the min), and settings go to the later writer by their own time.
//
// Every key is built from the prefix (ARGV[1]); KEYS[1] is always the id set, so that a Redis
// Cluster routes the script by the prefix's hash tag (the default prefix has one).

/** Shared Lua helpers (prepended to each script). */
const HELPERS = `
local P = ARGV[1]
-- JSON nulls travel as false (cjson's null is truthy in Lua).
local function nn(v)
  if v == false then return nil end
  return v
end
local function num(k, f)
  local v = redis.call('HGET', k, f)
  if v then return tonumber(v) end
  return nil
end
local function put(k, f, v)
  if v == nil then redis.call('HDEL', k, f) else redis.call('HSET', k, f, v) end
end
local function putn(k, f, v)
  if v == nil then redis.call('HDEL', k, f) else redis.call('HSET', k, f, string.format('%.17g', v)) end
end
local function maxf(k, f, v)
  if v == nil then return end
  local c = num(k, f)
  if c == nil or v > c then putn(k, f, v) end
end
local function minf(k, f, v)
  if v == nil then return end
  local c = num(k, f)
  if c == nil or v < c then putn(k, f, v) end
end
local function drop(id)
  local e = P .. 'e:' .. id
  for _, f in ipairs(redis.call('HKEYS', e)) do
    if string.sub(f, 1, 2) == 'm:' then redis.call('DEL', P .. 'cdm:' .. id .. '|' .. string.sub(f, 3)) end
  end
  redis.call('DEL', e, P .. 'cd:' .. id, P .. 'probe:' .. id)
  return redis.call('SREM', P .. 'ids', id)
end
`;

/**
 * Applies a batch of ops (JSON, one per credential) once: ARGV = prefix, now, batch id, lock
 * token ('' for none), then the ops. A batch id already applied is skipped (a retry after an
 * answer lost with the connection). Returns 1 when applied, 0 when it had been.
 */
export const APPLY = `${HELPERS}
local now = tonumber(ARGV[2])
local mark = P .. 'batch:' .. ARGV[3]
if redis.call('SET', mark, '1', 'NX', 'PX', 86400000) == false then return 0 end
for i = 5, #ARGV do
  local o = cjson.decode(ARGV[i])
  local id = o.id
  local e = P .. 'e:' .. id
  if o.del then
    drop(id)
  else
    if o.put then redis.call('DEL', e) end
    redis.call('SADD', P .. 'ids', id)
    redis.call('HSETNX', e, 'hash', o.h)
    redis.call('HSETNX', e, 'source', o.s)
    redis.call('HSETNX', e, 'provider', o.p)
    redis.call('HSETNX', e, 'status', 'active')
    if o.ra then
      local ls = num(e, 'lastSeen')
      if ls == nil or o.ra >= ls then
        redis.call('HSET', e, 'hash', o.h, 'source', o.s, 'provider', o.p)
        putn(e, 'expiresAt', o.ex)
      end
    end
    minf(e, 'firstSeen', o.fs)
    maxf(e, 'lastSeen', o.ls)
    if o.u then redis.call('HINCRBY', e, 'usageCount', o.u) end
    maxf(e, 'lastUsed', o.lu)
    if o.sc then redis.call('HINCRBY', e, 'successes', o.sc) end
    if o.fl then redis.call('HINCRBY', e, 'failures', o.fl) end
    if o.sr then
      putn(e, 'consecutiveFailures', o.sa or 0)
    elseif o.sa then
      redis.call('HINCRBY', e, 'consecutiveFailures', o.sa)
    end
    maxf(e, 'lastSuccessAt', o.lsa)
    maxf(e, 'lastFailureAt', o.lfa)
    if o.lc then
      local mean = o.lsum / o.lc
      local cur = num(e, 'latencyMs')
      if cur == nil then putn(e, 'latencyMs', mean)
      else putn(e, 'latencyMs', cur + (mean - cur) * (1 - 0.8 ^ o.lc)) end
    end
    if o.lat then putn(e, 'latencyMs', o.lat) end
    if o.st then
      local at = num(e, 'statusSetAt')
      if at == nil or o.st[3] >= at then
        redis.call('HSET', e, 'status', o.st[1])
        put(e, 'statusReason', nn(o.st[2]))
        putn(e, 'statusSetAt', o.st[3])
      end
    end
    -- A result or a new cooldown ends the probe that was in flight (its lease is released).
    if o.sc or o.fl or o.cd then redis.call('DEL', P .. 'probe:' .. id) end
    if o.cd then
      local at = num(e, 'cooldownSetAt')
      if at == nil or o.cd[3] >= at then
        local untl, cause = nn(o.cd[1]), nn(o.cd[2])
        putn(e, 'cooldownUntil', untl)
        put(e, 'cooldownCause', untl and cause or nil)
        putn(e, 'cooldownSetAt', o.cd[3])
        local key = P .. 'cd:' .. id
        if untl and untl > now then
          redis.call('SET', key, cause or 'cooldown', 'PXAT', untl)
        else
          redis.call('DEL', key)
        end
      end
    end
    if o.ms then
      for _, m in ipairs(o.ms) do
        local f = 'm:' .. m[1]
        local key = P .. 'cdm:' .. id .. '|' .. m[1]
        local raw = redis.call('HGET', e, f)
        local cur = raw and cjson.decode(raw) or nil
        if not (cur and m[4] < cur.setAt) then
          if not m[2] or not m[3] then
            if cur then
              redis.call('HDEL', e, f)
              redis.call('DEL', key)
            end
          else
            redis.call('HSET', e, f, cjson.encode({ ['until'] = m[2], cause = m[3], setAt = m[4] }))
            if m[2] > now then redis.call('SET', key, m[3], 'PXAT', m[2]) else redis.call('DEL', key) end
          end
        end
      end
    end
    if o.nd then
      local at = num(e, 'needsSetAt')
      if at == nil or o.nd[3] >= at then
        put(e, 'needs', nn(o.nd[1]))
        put(e, 'needsReason', nn(o.nd[1]) and nn(o.nd[2]) or nil)
        putn(e, 'needsSetAt', o.nd[3])
      end
    end
    if o.v then
      local at = num(e, 'validationAt')
      if at == nil or o.vat >= at then
        redis.call('HSET', e, 'validation', o.v)
        putn(e, 'validationAt', o.vat)
      end
    end
  end
end
if ARGV[4] ~= '' and redis.call('GET', P .. 'lock') == ARGV[4] then redis.call('DEL', P .. 'lock') end
redis.call('INCR', P .. 'ver')
return 1
`;

/**
 * Reads the whole state: ARGV = prefix, the version the caller has ('' for none). Returns
 * { version } when unchanged, else { version, id1, fields1, id2, fields2, … } (entries without
 * an identity yet, created by a pick before their first flush, are left out).
 */
export const READ = `${HELPERS}
local ver = redis.call('GET', P .. 'ver') or '0'
if ARGV[2] ~= '' and ARGV[2] == ver then return { ver } end
local out = { ver }
for _, id in ipairs(redis.call('SMEMBERS', P .. 'ids')) do
  local e = P .. 'e:' .. id
  if redis.call('HEXISTS', e, 'hash') == 1 then
    out[#out + 1] = id
    out[#out + 1] = redis.call('HGETALL', e)
  end
end
return out
`;

/**
 * One rotation step: ARGV = prefix, mode ('turn' | 'least-used'), now, probe ttl, tie offset,
 * model ('' for none), group, pick id, probe count, then the probe ids and the ready ids. Skips
 * candidates whose cooldown key exists (set by another gateway since this one last read); takes a
 * probe lease (SET NX PX) for the first free probe; else picks by the group's global cursor or the
 * fewest uses; counts the use. Returns { id or false, probe 0/1, the shortest wait seen (ms) }.
 */
export const PICK = `${HELPERS}
local mode, now, ttl, offset, model, group = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], ARGV[7]
local nprobe = tonumber(ARGV[9])
local wait = -1
local function note(ms)
  if ms > 0 and (wait < 0 or ms < wait) then wait = ms end
end
local function cooling(id)
  local t = redis.call('PTTL', P .. 'cd:' .. id)
  if t > 0 then note(t) return true end
  if model ~= '' then
    t = redis.call('PTTL', P .. 'cdm:' .. id .. '|' .. model)
    if t > 0 then note(t) return true end
  end
  return false
end
local chosen, probe = nil, 0
for i = 1, nprobe do
  local id = ARGV[9 + i]
  if not cooling(id) then
    if redis.call('SET', P .. 'probe:' .. id, ARGV[8], 'NX', 'PX', ttl) then
      chosen, probe = id, 1
      break
    end
    note(redis.call('PTTL', P .. 'probe:' .. id))
  end
end
if not chosen then
  local eligible = {}
  for i = 10 + nprobe, #ARGV do
    if not cooling(ARGV[i]) then eligible[#eligible + 1] = ARGV[i] end
  end
  local n = #eligible
  if n == 0 then return { false, 0, wait } end
  if mode == 'turn' then
    redis.call('SADD', P .. 'groups', group)
    local c = redis.call('INCR', P .. 'rr:' .. group)
    chosen = eligible[((c - 1) % n) + 1]
  else
    local best = nil
    for k = 0, n - 1 do
      local id = eligible[((offset + k) % n) + 1]
      local u = num(P .. 'e:' .. id, 'usageCount') or 0
      if best == nil or u < best then best, chosen = u, id end
    end
  end
end
local e = P .. 'e:' .. chosen
redis.call('SADD', P .. 'ids', chosen)
redis.call('HINCRBY', e, 'usageCount', 1)
maxf(e, 'lastUsed', now)
redis.call('SET', P .. 'pick:' .. ARGV[8], chosen, 'PX', 60000)
redis.call('INCR', P .. 'ver')
return { chosen, probe, wait }
`;

/** Removes every entry and rotation cursor: ARGV = prefix. Returns how many entries there were. */
export const CLEAR = `${HELPERS}
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', P .. 'ids')) do n = n + drop(id) end
for _, g in ipairs(redis.call('SMEMBERS', P .. 'groups')) do redis.call('DEL', P .. 'rr:' .. g) end
redis.call('DEL', P .. 'groups', P .. 'ids')
redis.call('INCR', P .. 'ver')
return n
`;

/** Takes back a use counted by a pick whose answer was lost (the caller decided again locally). */
export const UNPICK = `${HELPERS}
local chosen = redis.call('GET', P .. 'pick:' .. ARGV[2])
if not chosen then return 0 end
redis.call('DEL', P .. 'pick:' .. ARGV[2])
redis.call('HINCRBY', P .. 'e:' .. chosen, 'usageCount', -1)
redis.call('INCR', P .. 'ver')
return 1
`;
