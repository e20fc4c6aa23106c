-- An agent accepts a conversation offered to them, or takes one waiting in a queue they
-- serve. ARGV: prefix, conversation id, agent id, now (ms). Returns {outcome, wait ms}.
local prefix, cid, aid, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local conv = prefix .. 'conv:' .. cid
local c = redis.call('HMGET', conv, 'status', 'agent', 'language', 'skill', 'rm', 'enqueued_at')
if c[1] == 'active' and c[2] == aid then return {'already_accepted', 0} end
if c[1] == 'assigned' and c[2] == aid then
  redis.call('HSET', conv, 'status', 'active', 'accepted_at', now)
  return {'accepted', 0}
end
if c[1] ~= 'queued' then return {'unavailable', 0} end
local online = prefix .. 'agents:online'
if redis.call('SISMEMBER', online, aid) == 0 then return {'not_online', 0} end
local a = redis.call('HMGET', prefix .. 'agent:' .. aid, 'languages', 'skills', 'max_chats', 'active')
if (tonumber(a[4]) or 0) >= (tonumber(a[3]) or 0) then return {'at_capacity', 0} end
local manager = c[5] or ''
if manager ~= '' and manager ~= aid and redis.call('SISMEMBER', online, manager) == 1 then
  return {'reserved', 0}
end
if manager ~= aid then
  if not string.find(',' .. (a[1] or '') .. ',', ',' .. c[3] .. ',', 1, true)
     or not string.find(',' .. (a[2] or '') .. ',', ',' .. c[4] .. ',', 1, true) then
    return {'not_eligible', 0}
  end
end
redis.call('ZREM', prefix .. 'queue', cid)
redis.call('HSET', conv, 'status', 'active', 'agent', aid, 'assigned_at', now, 'accepted_at', now)
-- Taken by an agent who serves its skill: not an overflow.
redis.call('HDEL', conv, 'overflowed', 'overflowed_at')
redis.call('SADD', prefix .. 'agent:' .. aid .. ':chats', cid)
redis.call('HINCRBY', prefix .. 'agent:' .. aid, 'active', 1)
redis.call('HSET', prefix .. 'agent:' .. aid, 'idle_since', now)
return {'accepted', now - (tonumber(c[6]) or now)}
